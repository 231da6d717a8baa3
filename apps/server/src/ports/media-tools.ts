/** Why an input image was refused. normalizeImage rejects with an Error named 'BadImageError' whose `reason` is one of these. */
export type BadImageReason = 'not_an_image' | 'too_many_pixels' | 'unsupported_format';

export interface ImageMeta {
  width: number;
  height: number;
  /** the source format as its bytes say (never the file name) */
  format: 'png' | 'jpeg' | 'webp';
  /** frames in the source (an animated WebP has several); only the first is kept */
  frames?: number;
}

export type VideoFormat = 'mp4' | 'webm' | 'gif';

export interface VideoProbe {
  width: number;
  height: number;
  /** decoded frame count (counted, not estimated from the duration) */
  frames: number;
  fps: number;
  /** ffprobe codec name: h264, vp9, gif, … */
  codec: string;
  durationSeconds: number;
}

/** Image and video tools (sharp, ffmpeg) the services and worker use. */
export interface MediaTools {
  /**
   * Decode for real (the bytes decide; only PNG, JPEG, WebP), refuse more than maxPixels before decoding,
   * apply EXIF orientation, re-encode to 8-bit sRGB PNG (drops all metadata), optionally cover-resize to w×h.
   */
  normalizeImage(
    input: Buffer,
    opts: { maxPixels: number; resizeTo?: { width: number; height: number } },
  ): Promise<{ png: Buffer; meta: ImageMeta }>;
  /** Re-encode; embed the A1111 infotext as PNG text chunk `parameters`, or as JPEG EXIF UserComment. */
  encodeImage(pngInput: Buffer, format: 'png' | 'jpg', parameters: string): Promise<Buffer>;
  /** What encodeImage embedded (or A1111 / other tools wrote the same way); undefined if none. */
  readImageParameters(file: Buffer): Promise<string | undefined>;
  /**
   * Convert a video file (mp4 = H.264 yuv420p faststart, webm = VP9, gif) keeping size and every frame; video only.
   * `fps` sets the playback rate by re-timing the frames (none dropped or duplicated); `comment` goes into the
   * container's comment tag (mp4, webm: the generation parameters, read back by the UI's drop-to-recall).
   */
  convertVideo(
    inputPath: string,
    format: VideoFormat,
    outPath: string,
    opts?: { fps?: number; comment?: string },
  ): Promise<void>;
  probeVideo(path: string): Promise<VideoProbe>;
  /** The last frame of a video as PNG bytes (continue a video from where it ends). */
  lastFrame(videoPath: string): Promise<Buffer>;
  /**
   * A JPEG fitting in maxSize×maxSize (never enlarged): the image itself, or a video's middle frame; `blurSigma`
   * blurs it beyond recognition (the admin's review queue of withheld outputs).
   */
  thumbnail(
    input: { path: string; kind: 'image' | 'video' },
    outJpegPath: string,
    maxSize?: number,
    opts?: { blurSigma?: number },
  ): Promise<void>;
}
