// Finds ffmpeg and ffprobe so that `npm install && npm start` needs nothing but Node on Linux x64:
// FFMPEG_PATH/FFPROBE_PATH when set, else the system's binaries on PATH, else the static builds that
// @ffmpeg-installer/@ffprobe-installer ship inside their npm packages (libx264, libvpx-vp9, gif).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type BinarySource = 'env' | 'path' | 'npm';

export interface ResolvedBinary {
  name: 'ffmpeg' | 'ffprobe';
  path: string;
  source: BinarySource;
  /** the first line of `-version`, e.g. "ffmpeg version 5.1.9-0+deb12u1" */
  version: string;
}

export interface MediaBinaries {
  ffmpeg: ResolvedBinary;
  ffprobe: ResolvedBinary;
}

/** A missing or broken binary: start-up stops with this message instead of failing jobs later. */
export class MissingBinaryError extends Error {
  override name = 'MissingBinaryError';
}

const NPM_PACKAGE = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' } as const;
const ENV_VAR = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' } as const;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, like `command -v`. */
export function findOnPath(name: string, envPath: string | undefined): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function fromNpm(name: 'ffmpeg' | 'ffprobe'): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const found = (require(NPM_PACKAGE[name]) as { path?: unknown }).path;
    if (typeof found !== 'string' || !fs.existsSync(found)) return undefined;
    // npm may skip the package's chmod postinstall; the file is ours, so restore its exec bit
    if (!isExecutable(found)) fs.chmodSync(found, 0o755);
    return found;
  } catch {
    return undefined; // no build for this platform (the installers ship linux/mac/windows x64 and a few arm)
  }
}

function versionLine(file: string): string {
  const out = execFileSync(file, ['-version'], {
    encoding: 'utf8',
    timeout: 15_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return (out.split('\n')[0] ?? '').replace(/\s+Copyright.*$/, '').trim();
}

function resolveOne(name: 'ffmpeg' | 'ffprobe', env: NodeJS.ProcessEnv): ResolvedBinary {
  const configured = env[ENV_VAR[name]];
  let file: string | undefined;
  let source: BinarySource;
  if (configured) {
    file = configured;
    source = 'env';
    if (!isExecutable(file)) throw new MissingBinaryError(`${ENV_VAR[name]}=${configured} is not an executable file`);
  } else {
    file = findOnPath(name, env.PATH);
    source = 'path';
    if (!file) {
      file = fromNpm(name);
      source = 'npm';
    }
  }
  if (!file) {
    throw new MissingBinaryError(
      `${name} was not found: not on PATH, ${ENV_VAR[name]} unset, and ${NPM_PACKAGE[name]} has no binary for ${process.platform}-${process.arch}. ` +
        `Install ${name} (e.g. apt-get install ffmpeg) or set ${ENV_VAR[name]}.`,
    );
  }
  try {
    return { name, path: file, source, version: versionLine(file) };
  } catch (err) {
    throw new MissingBinaryError(
      `${name} at ${file} does not run: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

let cached: { key: string; value: MediaBinaries } | undefined;

/** ffmpeg and ffprobe, resolved once per process (and per PATH/variables); throws MissingBinaryError. */
export function resolveMediaBinaries(env: NodeJS.ProcessEnv = process.env): MediaBinaries {
  const key = [env.FFMPEG_PATH, env.FFPROBE_PATH, env.PATH].join('\0');
  if (cached?.key === key) return cached.value;
  const value = { ffmpeg: resolveOne('ffmpeg', env), ffprobe: resolveOne('ffprobe', env) };
  cached = { key, value };
  return value;
}
