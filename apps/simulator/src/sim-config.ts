// Simulator settings from environment variables, overridden by command-line flags.
import type { SimulatorOptions } from './simulator.ts';

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const flagOn = (v: string | undefined): boolean =>
  v !== undefined && !['', '0', 'false', 'no', 'off'].includes(v.toLowerCase());

export class ConfigError extends Error {}

/** `--name value` / `--name=value` pairs; bare flags read as "1". */
function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new ConfigError(`unexpected argument: ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) out.set(a.slice(2), argv[++i]!);
    else out.set(a.slice(2), '1');
  }
  return out;
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be a positive number, got "${v}"`);
  return n;
}

export const USAGE = `ComfyUI 0.3.64 protocol simulator
  --ports 8188,8189        SIM_PORTS           one simulated GPU per port (0 = any free port)
  --host 127.0.0.1         SIM_HOST
  --time-scale 1           SIM_TIME_SCALE      multiplies simulated durations (0.01 = 100x faster)
  --output-dir DIR         SIM_OUTPUT_DIR      default: a temp dir, removed on exit
  --vram-gb 80[,24]        SIM_VRAM_GB         per GPU, one value or one per port
  --models-file FILE       SIM_MODELS_FILE     default: data/models.json
  --missing-nodes A,B      SIM_MISSING_NODES   classes to leave out ("8189:Class" = that port only)
  --missing-models F       SIM_MISSING_MODELS  model files to leave out (same syntax)
  --models anisora,pony    SIM_MODELS          models whose files are present ("8189:pony" = that port only; default all)
  --loras a.safetensors    SIM_LORAS           LoRA files in models/loras ("8189:b.safetensors" = that port only)
  --preview-method auto    SIM_PREVIEW_METHOD  auto (default) or none: ComfyUI's own default, no previews
  --no-previews            SIM_PREVIEWS=0      same as --preview-method none
  --disable-metadata       SIM_DISABLE_METADATA=1
  --max-upload-size 100    SIM_MAX_UPLOAD_MB
  --enable-cors-header [*] SIM_CORS_ORIGIN     CORS instead of the loopback origin check
  --ws-reuse-bug           SIM_WS_REUSE_BUG=1  reproduce ComfyUI#16010 on clientId reuse`;

/** Real ComfyUI sends previews only with --preview-method other than none (its default is none). */
function previewsOn(args: Map<string, string>, env: NodeJS.ProcessEnv): boolean {
  if (args.has('no-previews')) return false;
  const method = args.get('preview-method') ?? env.SIM_PREVIEW_METHOD;
  if (method !== undefined) {
    if (!['auto', 'none', 'latent2rgb', 'taesd'].includes(method))
      throw new ConfigError(`SIM_PREVIEW_METHOD must be auto, none, latent2rgb or taesd, got "${method}"`);
    return method !== 'none';
  }
  return env.SIM_PREVIEWS === undefined || flagOn(env.SIM_PREVIEWS);
}

export function simulatorConfig(env: NodeJS.ProcessEnv, argv: string[]): SimulatorOptions {
  const args = parseArgs(argv);
  const pick = (flag: string, envName: string): string | undefined => args.get(flag) ?? env[envName];
  const ports = list(pick('ports', 'SIM_PORTS') ?? '8188,8189').map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new ConfigError(`SIM_PORTS must be a comma-separated list of ports, got "${p}"`);
    return n;
  });
  if (ports.length === 0) throw new ConfigError('SIM_PORTS is empty');
  const vram = list(pick('vram-gb', 'SIM_VRAM_GB') ?? '80').map((v) => positive('SIM_VRAM_GB', v));
  const outputDir = pick('output-dir', 'SIM_OUTPUT_DIR');
  const modelsFile = pick('models-file', 'SIM_MODELS_FILE');
  const maxUpload = pick('max-upload-size', 'SIM_MAX_UPLOAD_MB');
  const models = pick('models', 'SIM_MODELS');
  const modelList = models !== undefined ? list(models) : undefined;
  const loras = list(pick('loras', 'SIM_LORAS'));
  const cors = args.has('enable-cors-header')
    ? args.get('enable-cors-header') === '1'
      ? '*'
      : args.get('enable-cors-header')
    : env.SIM_CORS_ORIGIN;
  return {
    ports,
    host: pick('host', 'SIM_HOST') ?? '127.0.0.1',
    timeScale: positive('SIM_TIME_SCALE', pick('time-scale', 'SIM_TIME_SCALE') ?? '1'),
    vramGb: vram.length === 1 ? vram[0]! : vram,
    missingNodes: list(pick('missing-nodes', 'SIM_MISSING_NODES')),
    missingModels: list(pick('missing-models', 'SIM_MISSING_MODELS')),
    previews: previewsOn(args, env),
    ...(modelList ? { models: modelList } : {}),
    ...(loras.length > 0 ? { loras } : {}),
    metadata: !(args.has('disable-metadata') || flagOn(env.SIM_DISABLE_METADATA)),
    wsReuseBug: args.has('ws-reuse-bug') || flagOn(env.SIM_WS_REUSE_BUG),
    ...(outputDir ? { outputDir } : {}),
    ...(modelsFile ? { modelsFile } : {}),
    ...(maxUpload ? { maxUploadMb: positive('SIM_MAX_UPLOAD_MB', maxUpload) } : {}),
    ...(cors ? { corsOrigin: cors } : {}),
  };
}
