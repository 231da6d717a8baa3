import type { GenerationType } from './models/index.ts';

export interface EstimateInput {
  type: GenerationType;
  width: number;
  height: number;
  steps: number;
  batch_size: number;
  num_frames?: number;
}

/** Work in comparable units: pixels × frames (video) or pixels × steps (image), in megapixels. */
export function workUnits(p: EstimateInput): number {
  const mp = (p.width * p.height) / 1_000_000;
  const per = p.type === 'video' ? mp * (p.num_frames ?? 81) : mp * p.steps;
  return per * p.batch_size;
}

/**
 * Estimated seconds. Cold start uses the seed's formula (video round(frames/16·3.5),
 * image round(steps·0.4)); once a model has finished jobs the server passes the measured
 * seconds per work unit.
 */
export function estimateSeconds(p: EstimateInput, measuredSecondsPerUnit?: number): number {
  if (measuredSecondsPerUnit !== undefined && measuredSecondsPerUnit > 0) {
    return Math.max(1, Math.round(workUnits(p) * measuredSecondsPerUnit));
  }
  const one = p.type === 'video' ? Math.round(((p.num_frames ?? 81) / 16) * 3.5) : Math.round(p.steps * 0.4);
  return Math.max(1, one * p.batch_size);
}
