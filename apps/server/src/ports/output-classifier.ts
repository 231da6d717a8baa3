/**
 * An image classifier's probabilities (0..1, summing to about 1) for the five classes of the nsfwjs models.
 * `porn`, `hentai` and `sexy` are the explicit classes the output rules compare with the operator's thresholds.
 */
export interface NsfwScores {
  porn: number;
  hentai: number;
  sexy: number;
  neutral: number;
  drawing: number;
}

/** Classifies outputs and reference images off the request path; runs offline (weights ship with the adapter). */
export interface OutputClassifier {
  /** Any image sharp decodes (PNG, JPEG, WebP; the first frame of an animation). */
  classifyImage(image: Buffer): Promise<NsfwScores>;
  /**
   * Evenly spaced frames of a video file (mp4, webm, gif): `frames` of them (default 4, fewer only when the
   * clip has fewer), one score per sampled frame in time order.
   */
  classifyVideo(path: string, opts?: { frames?: number }): Promise<NsfwScores[]>;
  /** Stops the inference thread; later calls reject. */
  close(): Promise<void>;
}
