import { spawn } from 'node:child_process';

export const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
export const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';

/** ffmpeg arguments for one conversion (pure; never any user text in them). */
export function buildVideoConvertArgs(input: string, format: 'mp4' | 'webm' | 'gif', output: string, opts: { fps?: number; copyH264?: boolean } = {}): string[] {
  const head = ['-y', '-nostdin', '-hide_banner', '-loglevel', 'error', '-i', input, '-map_metadata', '-1'];
  if (format === 'mp4') {
    if (opts.copyH264) return [...head, '-c:v', 'copy', '-an', '-movflags', '+faststart', '-f', 'mp4', output];
    return [...head, '-c:v', 'libx264', '-preset', 'medium', '-crf', '20', '-pix_fmt', 'yuv420p', '-an', '-movflags', '+faststart', '-f', 'mp4', output];
  }
  if (format === 'webm') {
    return [...head, '-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '32', '-deadline', 'good', '-cpu-used', '4', '-row-mt', '1', '-an', '-f', 'webm', output];
  }
  const fps = opts.fps ? `fps=${opts.fps},` : '';
  return [...head, '-filter_complex', `${fps}split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3`, '-loop', '0', '-f', 'gif', output];
}

/** Run a tool with a hard timeout; stderr goes into the error. */
export function run(cmd: string, args: string[], timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} could not start: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} failed (${signal ?? `exit ${code}`}): ${err.trim()}`));
    });
  });
}

export interface VideoProbe {
  width: number;
  height: number;
  frames: number;
  fps: number;
  codec: string;
  pixFmt: string;
  durationSeconds: number;
}

export async function probeVideo(path: string): Promise<VideoProbe> {
  const out = await run(FFPROBE, ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries',
    'stream=width,height,codec_name,pix_fmt,r_frame_rate,nb_read_frames:format=duration', '-of', 'json', path], 120_000);
  const j = JSON.parse(out) as { streams?: Array<Record<string, string | number>>; format?: { duration?: string } };
  const s = j.streams?.[0];
  if (!s) throw new Error('no video stream');
  const [num, den] = String(s.r_frame_rate ?? '0/1').split('/').map(Number);
  return {
    width: Number(s.width), height: Number(s.height), frames: Number(s.nb_read_frames ?? 0), fps: den ? (num ?? 0) / den : 0,
    codec: String(s.codec_name), pixFmt: String(s.pix_fmt ?? ''), durationSeconds: Number(j.format?.duration ?? 0),
  };
}

export async function convertVideo(input: string, format: 'mp4' | 'webm' | 'gif', output: string, opts: { fps?: number } = {}): Promise<void> {
  let copyH264 = false;
  if (format === 'mp4') {
    const p = await probeVideo(input).catch(() => undefined);
    copyH264 = p?.codec === 'h264' && p.pixFmt === 'yuv420p';
  }
  await run(FFMPEG, buildVideoConvertArgs(input, format, output, { ...opts, copyH264 }));
}

/** A JPEG of the middle frame, scaled to fit maxSize. */
export async function videoThumbnail(input: string, outJpeg: string, maxSize: number): Promise<void> {
  const p = await probeVideo(input);
  const at = Math.max(0, p.durationSeconds / 2);
  await run(FFMPEG, ['-y', '-nostdin', '-hide_banner', '-loglevel', 'error', '-ss', at.toFixed(3), '-i', input, '-frames:v', '1',
    '-vf', `scale='min(${maxSize},iw)':'min(${maxSize},ih)':force_original_aspect_ratio=decrease`, '-q:v', '4', '-f', 'image2', outJpeg]);
}
