// Test-side helpers: a recording WebSocket client and API-format graphs for the simulator tests.
import WebSocket from 'ws';

export type WsMessage =
  { kind: 'json'; type: string; data: Record<string, unknown> } | { kind: 'binary'; data: Buffer };

/** A /ws client that records every frame and lets a test wait for one. */
export class RecordingSocket {
  readonly messages: WsMessage[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    readonly ws: WebSocket,
    readonly clientId: string,
  ) {
    ws.on('message', (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) this.messages.push({ kind: 'binary', data: buf });
      else {
        const msg = JSON.parse(buf.toString()) as { type: string; data: Record<string, unknown> };
        this.messages.push({ kind: 'json', type: msg.type, data: msg.data });
      }
      for (const w of this.waiters) w();
    });
  }

  static async open(base: string, clientId: string, featureFlags?: Record<string, unknown>): Promise<RecordingSocket> {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?clientId=${encodeURIComponent(clientId)}`);
    const sock = new RecordingSocket(ws, clientId);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (featureFlags) ws.send(JSON.stringify({ type: 'feature_flags', data: featureFlags }));
    await sock.waitFor((m) => m.kind === 'json' && m.type === 'status');
    if (featureFlags) await sock.waitFor((m) => m.kind === 'json' && m.type === 'feature_flags');
    return sock;
  }

  json(type?: string): Array<{ type: string; data: Record<string, unknown> }> {
    return this.messages.flatMap((m) =>
      m.kind === 'json' && (type === undefined || m.type === type) ? [{ type: m.type, data: m.data }] : [],
    );
  }

  binary(): Buffer[] {
    return this.messages.flatMap((m) => (m.kind === 'binary' ? [m.data] : []));
  }

  /** Resolves with the first recorded message matching `pred` (already received or future). */
  waitFor(pred: (m: WsMessage) => boolean, timeoutMs = 20_000): Promise<WsMessage> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.messages.find(pred);
        if (!hit) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== onMsg);
        resolve(hit);
        return true;
      };
      const onMsg = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== onMsg);
        reject(
          new Error(
            `timed out waiting on ${this.clientId}; got ${this.json()
              .map((m) => m.type)
              .join(',')}`,
          ),
        );
      }, timeoutMs);
      if (!check()) this.waiters.push(onMsg);
    });
  }

  /** Waits for the legacy completion signal `executing {node: null}` of this prompt. */
  waitDone(promptId: string, timeoutMs?: number): Promise<WsMessage> {
    return this.waitFor(
      (m) => m.kind === 'json' && m.type === 'executing' && m.data.node === null && m.data.prompt_id === promptId,
      timeoutMs,
    );
  }

  close(): void {
    this.ws.close();
  }
}

export async function postJson(
  base: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { text };
  }
  return { status: res.status, json };
}

export async function getJson<T = Record<string, unknown>>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export async function waitHistory(base: string, promptId: string, timeoutMs = 20_000): Promise<HistoryJson> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const h = await getJson<Record<string, HistoryJson>>(base, `/history/${promptId}`);
    if (h[promptId]) return h[promptId];
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no history for ${promptId}`);
}

export interface HistoryJson {
  prompt: unknown[];
  outputs: Record<
    string,
    { images: Array<{ filename: string; subfolder: string; type: string }>; animated?: boolean[] }
  >;
  status: { status_str: string; completed: boolean; messages: Array<[string, Record<string, unknown>]> };
  meta: Record<string, unknown>;
}

export interface ImageGraphOptions {
  seed?: number | string;
  width?: number;
  height?: number;
  batch?: number;
  steps?: number;
  text?: string;
  prefix?: string;
  checkpoint?: string;
}

/** A minimal SDXL-style txt2img graph: checkpoint → encode → KSampler → decode → SaveImage. */
export function imageGraph(
  o: ImageGraphOptions = {},
): Record<string, { class_type: string; inputs: Record<string, unknown> }> {
  return {
    '4': {
      class_type: 'CheckpointLoaderSimple',
      inputs: { ckpt_name: o.checkpoint ?? 'ponyDiffusionV6XL_v6StartWithThisOne.safetensors' },
    },
    '5': {
      class_type: 'EmptyLatentImage',
      inputs: { width: o.width ?? 256, height: o.height ?? 192, batch_size: o.batch ?? 1 },
    },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: o.text ?? 'a red fox in snow', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: o.seed ?? 42,
        steps: o.steps ?? 6,
        cfg: 7,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: o.prefix ?? 'sim/test', images: ['8', 0] } },
  };
}

export interface VideoGraphOptions {
  seed?: number;
  width?: number;
  height?: number;
  length?: number;
  fps?: number;
  steps?: number;
  save?: 'SaveVideo' | 'SaveWEBM' | 'SaveAnimatedWEBP';
  startImage?: string;
}

/** A Wan 2.2 two-expert graph (high/low noise KSamplerAdvanced) ending in CreateVideo + SaveVideo. */
export function videoGraph(
  o: VideoGraphOptions = {},
): Record<string, { class_type: string; inputs: Record<string, unknown> }> {
  const steps = o.steps ?? 4;
  const g: Record<string, { class_type: string; inputs: Record<string, unknown> }> = {
    '1': {
      class_type: 'UNETLoader',
      inputs: {
        unet_name: 'Wan2_2-I2V_AniSoraV3_2_HIGH_14B_fp8_e4m3fn_scaled_KJ.safetensors',
        weight_dtype: 'default',
      },
    },
    '2': {
      class_type: 'UNETLoader',
      inputs: { unet_name: 'Wan2_2-I2V_AniSoraV3_2_LOW_14B_fp8_e4m3fn_scaled_KJ.safetensors', weight_dtype: 'default' },
    },
    '5': { class_type: 'CLIPLoader', inputs: { clip_name: 'umt5_xxl_fp8_e4m3fn_scaled.safetensors', type: 'wan' } },
    '6': { class_type: 'VAELoader', inputs: { vae_name: 'wan_2.1_vae.safetensors' } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'a paper boat on a river', clip: ['5', 0] } },
    '8': { class_type: 'CLIPTextEncode', inputs: { text: 'static', clip: ['5', 0] } },
    '9': {
      class_type: 'WanImageToVideo',
      inputs: {
        positive: ['7', 0],
        negative: ['8', 0],
        vae: ['6', 0],
        width: o.width ?? 256,
        height: o.height ?? 160,
        length: o.length ?? 17,
        batch_size: 1,
      },
    },
    '10': {
      class_type: 'KSamplerAdvanced',
      inputs: {
        model: ['1', 0],
        add_noise: 'enable',
        noise_seed: o.seed ?? 7,
        steps,
        cfg: 1,
        sampler_name: 'uni_pc',
        scheduler: 'simple',
        positive: ['9', 0],
        negative: ['9', 1],
        latent_image: ['9', 2],
        start_at_step: 0,
        end_at_step: 2,
        return_with_leftover_noise: 'enable',
      },
    },
    '11': {
      class_type: 'KSamplerAdvanced',
      inputs: {
        model: ['2', 0],
        add_noise: 'disable',
        noise_seed: o.seed ?? 7,
        steps,
        cfg: 1,
        sampler_name: 'uni_pc',
        scheduler: 'simple',
        positive: ['9', 0],
        negative: ['9', 1],
        latent_image: ['10', 0],
        start_at_step: 2,
        end_at_step: 10000,
        return_with_leftover_noise: 'disable',
      },
    },
    '12': { class_type: 'VAEDecode', inputs: { samples: ['11', 0], vae: ['6', 0] } },
  };
  if (o.startImage) {
    g['20'] = { class_type: 'LoadImage', inputs: { image: o.startImage } };
    g['9']!.inputs.start_image = ['20', 0];
  }
  const save = o.save ?? 'SaveVideo';
  if (save === 'SaveVideo') {
    g['13'] = { class_type: 'CreateVideo', inputs: { images: ['12', 0], fps: o.fps ?? 16 } };
    g['14'] = {
      class_type: 'SaveVideo',
      inputs: { video: ['13', 0], filename_prefix: 'video/sim', format: 'mp4', codec: 'h264' },
    };
  } else if (save === 'SaveWEBM') {
    g['14'] = {
      class_type: 'SaveWEBM',
      inputs: { images: ['12', 0], filename_prefix: 'sim', codec: 'vp9', fps: o.fps ?? 16, crf: 32 },
    };
  } else {
    g['14'] = {
      class_type: 'SaveAnimatedWEBP',
      inputs: {
        images: ['12', 0],
        filename_prefix: 'sim',
        fps: o.fps ?? 16,
        lossless: false,
        quality: 80,
        method: 'fastest',
      },
    };
  }
  return g;
}
