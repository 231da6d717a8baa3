import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import type { VideoFormat, VideoProbe } from '#ports/media-tools.ts';

/** What ffprobe says about a video stream, plus the pixel format (decides whether mp4 can be a remux). */
export interface VideoStreamInfo extends VideoProbe {
  pixFmt: string;
}

const QUIET = ['-y', '-nostdin', '-hide_banner', '-loglevel', 'error'];
const GIF_PALETTE = 'split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3';
/** libx264 with yuv420p needs even sides; a no-op for the usual sizes, a 1-pixel crop for odd ones */
const EVEN_SIZE = 'crop=trunc(iw/2)*2:trunc(ih/2)*2';

/**
 * `file:` makes ffmpeg treat the argument as a plain path: never a protocol ("concat:", "http:") or an option
 * ("-…"). Paths come from our own file store, but this keeps it true whatever they look like.
 */
export function asFileUrl(path: string): string {
  return `file:${path}`;
}

/** The fps as it goes into a filter expression; throws on anything but a plain positive number. */
export function formatFps(fps: number): string {
  if (!Number.isFinite(fps) || fps <= 0 || fps > 240) throw new RangeError(`bad fps ${fps}`);
  return String(Number(fps.toFixed(3)));
}

/** Re-time every frame to `fps` (none dropped or duplicated, so the frame count stays what the model produced). */
function retimeFilter(fps: number | undefined): string[] {
  return fps === undefined ? [] : [`settb=AVTB,setpts=N/(${formatFps(fps)}*TB)`];
}

/** An H.264 yuv420p input at the wanted rate only needs a remux into a faststart mp4 (much faster than re-encoding). */
export function canRemuxToMp4(input: VideoStreamInfo, fps?: number): boolean {
  const sameRate = fps === undefined || Math.abs(input.fps - fps) < 0.01;
  return (
    input.codec === 'h264' && input.pixFmt === 'yuv420p' && sameRate && input.width % 2 === 0 && input.height % 2 === 0
  );
}

/**
 * ffmpeg arguments for one conversion (pure; paths are the only non-constant text, numbers are checked).
 * Only the first video stream is kept: no audio, subtitles or data, and no container metadata
 * (ComfyUI stores its prompt and workflow graph there).
 */
export function buildVideoConvertArgs(
  inputPath: string,
  format: VideoFormat,
  outPath: string,
  opts: { fps?: number; remux?: boolean; comment?: string } = {},
): string[] {
  const head = [
    ...QUIET,
    '-i',
    asFileUrl(inputPath),
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-map_metadata',
    '-1',
    // our own tag only: the generation parameters (A1111 infotext), never ComfyUI's graph
    ...(opts.comment !== undefined && format !== 'gif' ? ['-metadata', `comment=${opts.comment}`] : []),
  ];
  // passthrough: write exactly the frames the filters give, never drop or duplicate to fit a rate
  // (-vsync, not -fps_mode: the npm-shipped static ffmpeg is 4.1, and 5.x–7.x still accept -vsync)
  const rate = [...(opts.fps === undefined ? [] : ['-r', formatFps(opts.fps)]), '-vsync', 'passthrough'];
  const out = asFileUrl(outPath);
  if (format === 'mp4' && opts.remux) {
    return [...head, '-c:v', 'copy', '-movflags', '+faststart', '-f', 'mp4', out];
  }
  if (format === 'mp4') {
    const vf = [...retimeFilter(opts.fps), EVEN_SIZE].join(',');
    return [
      ...head,
      '-vf',
      vf,
      ...rate,
      '-c:v',
      'libx264',
      '-preset',
      'medium',
      '-crf',
      '20',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      out,
    ];
  }
  if (format === 'webm') {
    const retime = retimeFilter(opts.fps);
    return [
      ...head,
      ...(retime.length ? ['-vf', retime.join(',')] : []),
      ...rate,
      '-c:v',
      'libvpx-vp9',
      '-pix_fmt',
      'yuv420p',
      '-b:v',
      '0',
      '-crf',
      '32',
      '-deadline',
      'good',
      '-cpu-used',
      '4',
      '-row-mt',
      '1',
      '-f',
      'webm',
      out,
    ];
  }
  // GIF: palette from the whole clip; palettegen waits for the end of input, fine because the input is a file
  const vf = [...retimeFilter(opts.fps), GIF_PALETTE].join(',');
  return [...head, '-vf', vf, ...rate, '-loop', '0', '-f', 'gif', out];
}

/** ffprobe arguments; countFrames decodes the whole stream for an exact frame count (slower). */
export function buildProbeArgs(path: string, opts: { countFrames: boolean }): string[] {
  const entries =
    'stream=width,height,codec_name,pix_fmt,r_frame_rate,avg_frame_rate,nb_frames,nb_read_frames,duration:format=duration';
  return [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    ...(opts.countFrames ? ['-count_frames'] : []),
    '-show_entries',
    entries,
    '-of',
    'json',
    asFileUrl(path),
  ];
}

/** One frame at `atSeconds`, as PNG on stdout (sharp makes the thumbnail from it). */
export function buildFrameGrabArgs(path: string, atSeconds: number): string[] {
  const at = Number.isFinite(atSeconds) && atSeconds > 0 ? atSeconds.toFixed(3) : '0';
  return [
    ...QUIET,
    '-ss',
    at,
    '-i',
    asFileUrl(path),
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-c:v',
    'png',
    '-f',
    'image2pipe',
    'pipe:1',
  ];
}

function parseRate(rate: unknown): number {
  const [num, den] = String(rate ?? '')
    .split('/')
    .map(Number);
  return num !== undefined && den !== undefined && Number.isFinite(num) && den > 0 ? num / den : 0;
}

function toNumber(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** ffprobe's JSON → VideoStreamInfo (pure). */
export function parseProbeOutput(json: string): VideoStreamInfo {
  const parsed = JSON.parse(json) as { streams?: Array<Record<string, unknown>>; format?: Record<string, unknown> };
  const stream = parsed.streams?.[0];
  if (!stream) throw new Error('ffprobe found no video stream');
  const fps = parseRate(stream.r_frame_rate) || parseRate(stream.avg_frame_rate);
  return {
    width: toNumber(stream.width),
    height: toNumber(stream.height),
    frames: toNumber(stream.nb_read_frames ?? stream.nb_frames),
    fps,
    codec: String(stream.codec_name ?? ''),
    pixFmt: String(stream.pix_fmt ?? ''),
    durationSeconds: toNumber(parsed.format?.duration ?? stream.duration),
  };
}

/**
 * Run ffmpeg/ffprobe: stdout collected, the stderr tail put into the error, SIGKILL after timeoutMs
 * (a stuck encode must not hold a worker slot forever).
 */
export function runMediaProcess(command: string, args: string[], timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(Buffer.concat(stdout));
      const why = timedOut
        ? `timed out after ${Math.round(timeoutMs / 1000)} s`
        : signal
          ? `killed by ${signal}`
          : `exit ${code}`;
      reject(new Error(`${command} failed (${why}): ${stderr.trim() || 'no output'}`));
    });
  });
}

export interface FfmpegVideoToolsOptions {
  ffmpegPath: string;
  ffprobePath: string;
  timeoutMs: number;
}

export interface FfmpegVideoTools {
  probe(path: string, opts?: { countFrames?: boolean }): Promise<VideoStreamInfo>;
  convert(
    inputPath: string,
    format: VideoFormat,
    outPath: string,
    opts?: { fps?: number; comment?: string },
  ): Promise<void>;
  /** The middle frame as PNG bytes. */
  grabMiddleFrame(path: string): Promise<Buffer>;
  /** The last frame as PNG bytes. */
  grabLastFrame(path: string): Promise<Buffer>;
}

export function createFfmpegVideoTools(o: FfmpegVideoToolsOptions): FfmpegVideoTools {
  const probe = async (path: string, opts: { countFrames?: boolean } = {}): Promise<VideoStreamInfo> => {
    const out = await runMediaProcess(
      o.ffprobePath,
      buildProbeArgs(path, { countFrames: opts.countFrames ?? true }),
      o.timeoutMs,
    );
    return parseProbeOutput(out.toString('utf8'));
  };
  return {
    probe,
    async convert(inputPath, format, outPath, opts = {}) {
      if (opts.fps !== undefined) formatFps(opts.fps); // fail before spawning anything
      const remux = format === 'mp4' && canRemuxToMp4(await probe(inputPath, { countFrames: false }), opts.fps);
      try {
        await runMediaProcess(
          o.ffmpegPath,
          buildVideoConvertArgs(inputPath, format, outPath, { ...opts, remux }),
          o.timeoutMs,
        );
      } catch (err) {
        await fsp.rm(outPath, { force: true }); // no half-written file left for the store to serve
        throw err;
      }
    },
    async grabLastFrame(path) {
      const info = await probe(path, { countFrames: true });
      const at = info.fps > 0 && info.frames > 0 ? (info.frames - 1) / info.fps : info.durationSeconds;
      // seek to the last frame's time; a container that ends early gives nothing: step back a frame at a time
      for (let back = 0; back < 4; back++) {
        const t = Math.max(0, at - back / Math.max(1, info.fps));
        const frame = await runMediaProcess(o.ffmpegPath, buildFrameGrabArgs(path, t), o.timeoutMs);
        if (frame.length > 0) return frame;
      }
      throw new Error('ffmpeg produced no last frame');
    },
    async grabMiddleFrame(path) {
      const info = await probe(path, { countFrames: false });
      const frame = await runMediaProcess(
        o.ffmpegPath,
        buildFrameGrabArgs(path, info.durationSeconds / 2),
        o.timeoutMs,
      );
      if (frame.length > 0) return frame;
      // seeking past the last frame (a wrong duration in the container) yields nothing: take the first frame
      const first = await runMediaProcess(o.ffmpegPath, buildFrameGrabArgs(path, 0), o.timeoutMs);
      if (first.length === 0) throw new Error('ffmpeg produced no frame');
      return first;
    },
  };
}
