// The bundled nsfwjs models and how their output maps to NsfwScores (pure; no TensorFlow here).
import type { NsfwScores } from '#ports/output-classifier.ts';

/** The three models nsfwjs 4.4 ships inside its npm package (weights as base64 modules). */
export type NsfwModelName = 'MobileNetV2' | 'MobileNetV2Mid' | 'InceptionV3';

/** Square input side each model was trained on; images are resized to it before inference. */
export function modelInputSize(model: NsfwModelName): number {
  return model === 'InceptionV3' ? 299 : 224;
}

const CLASS_KEYS: Record<string, keyof NsfwScores> = {
  Porn: 'porn',
  Hentai: 'hentai',
  Sexy: 'sexy',
  Neutral: 'neutral',
  Drawing: 'drawing',
};

/** nsfwjs's `[{ className, probability }]` (top 5 = every class) → NsfwScores; a missing class counts 0. */
export function scoresFromPredictions(
  predictions: ReadonlyArray<{ className: string; probability: number }>,
): NsfwScores {
  const scores: NsfwScores = { porn: 0, hentai: 0, sexy: 0, neutral: 0, drawing: 0 };
  for (const p of predictions) {
    const key = CLASS_KEYS[p.className];
    if (!key) throw new Error(`unknown nsfwjs class ${p.className}`);
    scores[key] = Number.isFinite(p.probability) ? Math.min(1, Math.max(0, p.probability)) : 0;
  }
  return scores;
}

/** Sum of the explicit classes (porn + hentai + sexy), the quantity the acceptance tests bound for neutral images. */
export function explicitScore(s: NsfwScores): number {
  return s.porn + s.hentai + s.sexy;
}

/**
 * Which frames to classify: `count` evenly spaced frame indices, each the centre of its slice of the clip
 * (never the black first frame of a fade-in, never past the end); every frame when the clip has fewer.
 */
export function evenlySpacedFrames(totalFrames: number, count: number): number[] {
  const total = Math.max(0, Math.floor(totalFrames));
  const n = Math.max(1, Math.floor(count));
  if (total <= n) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: n }, (_, i) => Math.min(total - 1, Math.floor(((i + 0.5) * total) / n)));
}
