// Deterministic synthetic pictures: a seed-dependent gradient with soft waves and moving discs,
// drawn into raw RGB buffers. Same seed + salt ⇒ same pixels; coordinates are normalised, so a
// small preview is a downscaled look at the final picture.
import crypto from 'node:crypto';

type Rgb = [number, number, number];

export interface Scene {
  colors: [Rgb, Rgb, Rgb];
  angle: number;
  wave: { fx: number; fy: number; phase: number; amp: number };
  discs: Array<{ x: number; y: number; r: number; vx: number; vy: number; color: Rgb }>;
}

/** Pictures blended into frames (raw RGB at the frame size). */
export interface SceneReference {
  /** video guide frames: exact at their frame, fading into the generated picture around it */
  guides?: Array<{ frame: number; data: Buffer }>;
  /** img2img source, blended into the still */
  source?: Buffer;
  /** how much survives: of the source (img2img: 1 − denoise), of a guide next to its frame */
  weight: number;
}

/** mulberry32: a tiny deterministic PRNG */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeScene(seed: string, salt: string): Scene {
  const h = crypto.createHash('sha256').update(`${seed}\u0000${salt}`).digest();
  const rnd = prng(h.readUInt32LE(0));
  const color = (): Rgb => [Math.floor(rnd() * 256), Math.floor(rnd() * 256), Math.floor(rnd() * 256)];
  const colors: [Rgb, Rgb, Rgb] = [color(), color(), color()];
  const angle = rnd() * Math.PI * 2;
  const wave = { fx: 1 + rnd() * 3, fy: 1 + rnd() * 3, phase: rnd() * Math.PI * 2, amp: 0.08 + rnd() * 0.12 };
  const discs = Array.from({ length: 4 + Math.floor(rnd() * 4) }, () => ({
    x: rnd(),
    y: rnd(),
    r: 0.05 + rnd() * 0.13,
    vx: (rnd() - 0.5) * 0.03,
    vy: (rnd() - 0.5) * 0.03,
    color: color(),
  }));
  return { colors, angle, wave, discs };
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Frame `t` of `frames` (t = 0 for stills) as raw RGB, width × height × 3 bytes. */
export function renderFrame(
  scene: Scene,
  width: number,
  height: number,
  t = 0,
  frames = 1,
  ref?: SceneReference,
): Buffer {
  const out = Buffer.alloc(width * height * 3);
  const [c0, c1, c2] = scene.colors;
  const ca = Math.cos(scene.angle);
  const sa = Math.sin(scene.angle);
  const { fx, fy, phase, amp } = scene.wave;
  const drift = t * 0.15;
  const xs = new Float64Array(width);
  for (let x = 0; x < width; x++) xs[x] = x / width;
  for (let y = 0; y < height; y++) {
    const ny = y / height;
    for (let x = 0; x < width; x++) {
      const nx = xs[x]!;
      const g = clamp01(
        0.5 +
          0.5 * ((nx - 0.5) * ca + (ny - 0.5) * sa) * 1.4 +
          amp * Math.sin(2 * Math.PI * (fx * nx + fy * ny) + phase + drift),
      );
      // two-segment gradient c0 → c1 → c2
      const k = g < 0.5 ? g * 2 : (g - 0.5) * 2;
      const a = g < 0.5 ? c0 : c1;
      const b = g < 0.5 ? c1 : c2;
      const i = (y * width + x) * 3;
      out[i] = a[0] + (b[0] - a[0]) * k;
      out[i + 1] = a[1] + (b[1] - a[1]) * k;
      out[i + 2] = a[2] + (b[2] - a[2]) * k;
    }
  }
  const minSide = Math.min(width, height);
  for (const d of scene.discs) {
    // discs bounce inside the unit square, so they move smoothly over a whole clip
    const px = bounce(d.x + d.vx * t);
    const py = bounce(d.y + d.vy * t);
    const cx = px * width;
    const cy = py * height;
    const r = d.r * minSide;
    const edge = Math.max(1, r * 0.25);
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(width - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(height - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const alpha = clamp01((r - Math.hypot(x + 0.5 - cx, y + 0.5 - cy)) / edge) * 0.85;
        if (alpha <= 0) continue;
        const i = (y * width + x) * 3;
        out[i] = out[i]! + (d.color[0] - out[i]!) * alpha;
        out[i + 1] = out[i + 1]! + (d.color[1] - out[i + 1]!) * alpha;
        out[i + 2] = out[i + 2]! + (d.color[2] - out[i + 2]!) * alpha;
      }
    }
  }
  if (ref) blendReference(out, ref, t, frames);
  return out;
}

function bounce(v: number): number {
  const m = ((v % 2) + 2) % 2;
  return m > 1 ? 2 - m : m;
}

/**
 * A guide frame appears exactly at its index (ComfyUI keeps the known frames of I2V/VACE conditioning)
 * and fades over the neighbouring frames; an img2img source is blended with its weight.
 */
function blendReference(out: Buffer, ref: SceneReference, t: number, frames: number): void {
  const layers: Array<{ data: Buffer; w: number }> = [];
  if (ref.source) layers.push({ data: ref.source, w: ref.weight });
  const span = Math.max(2, (frames - 1) * 0.6);
  for (const g of ref.guides ?? []) {
    const d = Math.abs(t - g.frame);
    const w = d === 0 ? 1 : ref.weight * Math.max(0, 1 - d / span);
    if (w > 0) layers.push({ data: g.data, w });
  }
  layers.sort((a, b) => a.w - b.w); // exact guide frames last, so nothing blends over them
  for (const { data, w } of layers) {
    if (data.length !== out.length) continue;
    if (w >= 1) {
      data.copy(out);
      continue;
    }
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + (data[i]! - out[i]!) * w;
  }
}
