export interface ImageMeta {
  width: number;
  height: number;
  format: string;
}

/** Image and video tools (sharp, ffmpeg) the services and worker use. */
export interface MediaTools {
  /** decode for real (the bytes decide), enforce the pixel limit, re-encode to PNG (drops metadata), optionally cover-resize */
  normalizeImage(input: Buffer, opts: { maxPixels: number; resizeTo?: { width: number; height: number } }): Promise<{ png: Buffer; meta: ImageMeta }>;
  /** PNG with a tEXt "parameters" chunk, or JPEG with EXIF UserComment */
  encodeImage(pngInput: Buffer, format: 'png' | 'jpg', parameters: string): Promise<Buffer>;
  readImageParameters(file: Buffer): Promise<string | undefined>;
  convertVideo(inputPath: string, format: 'mp4' | 'webm' | 'gif', outPath: string, opts?: { fps?: number }): Promise<void>;
  probeVideo(path: string): Promise<{ width: number; height: number; frames: number; fps: number; codec: string; durationSeconds: number }>;
  thumbnail(input: { path: string; kind: 'image' | 'video' }, outJpegPath: string, maxSize?: number): Promise<void>;
}
