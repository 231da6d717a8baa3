// Real input files for the media integration tests: sharp-made images and ffmpeg-made clips, small so the suite
// stays fast. Importing this resolves ffmpeg (runs `ffmpeg -version`): unit tests import ./sample-images.ts instead.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveMediaBinaries } from '@mediagen/binaries';
import { SAMPLE_INFOTEXT, makePng } from './sample-images.ts';

export { SAMPLE_INFOTEXT, makePng };

export const FFMPEG = resolveMediaBinaries().ffmpeg.path;
export const FFPROBE = resolveMediaBinaries().ffprobe.path;

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mediagen-media-test-'));
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** testsrc2 clip, bounded by a frame count (an endless lavfi input would never end a GIF palette pass). */
export function makeVideo(
  outPath: string,
  opts: { frames?: number; size?: string; rate?: number; codecArgs?: string[] } = {},
): string {
  const {
    frames = 33,
    size = '256x256',
    rate = 16,
    codecArgs = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
  } = opts;
  execFileSync(FFMPEG, [
    '-y',
    '-nostdin',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=${rate}`,
    '-frames:v',
    String(frames),
    ...codecArgs,
    outPath,
  ]);
  return outPath;
}

/** Independent ffprobe run (not our parser's arguments) for the facts a test checks. */
export function probeWithFfprobe(file: string): {
  codec: string;
  width: number;
  height: number;
  frames: number;
  pixFmt: string;
  rate: string;
} {
  const out = execFileSync(FFPROBE, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_frames',
    '-show_entries',
    'stream=codec_name,width,height,nb_read_frames,pix_fmt,r_frame_rate',
    '-of',
    'json',
    file,
  ]).toString();
  const stream = (JSON.parse(out) as { streams: Array<Record<string, string | number>> }).streams[0] ?? {};
  return {
    codec: String(stream.codec_name),
    width: Number(stream.width),
    height: Number(stream.height),
    frames: Number(stream.nb_read_frames),
    pixFmt: String(stream.pix_fmt),
    rate: String(stream.r_frame_rate),
  };
}

/** Whether the moov atom comes before mdat (faststart: playback can begin before the download ends). */
export function isFaststartMp4(file: string): boolean {
  const bytes = fs.readFileSync(file);
  const moov = bytes.indexOf('moov', 0, 'latin1');
  const mdat = bytes.indexOf('mdat', 0, 'latin1');
  return moov > 0 && mdat > 0 && moov < mdat;
}
