// The input/output/temp directories of one simulated GPU, with ComfyUI's path rules:
// folder_paths.get_save_image_path (prefix → subfolder + counter), annotated names
// (`x.png [output]`), /view lookups and /upload/image de-duplication.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type FolderType = 'input' | 'output' | 'temp';
export const FOLDER_TYPES: readonly FolderType[] = ['input', 'output', 'temp'];

export const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.flac': 'audio/flac',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};

export class SimulatorFolders {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    for (const t of FOLDER_TYPES) fs.mkdirSync(this.dir(t), { recursive: true });
  }

  dir(type: FolderType): string {
    return path.join(this.root, type);
  }

  /** `name [output]` etc. pick the folder; the default is the input folder (LoadImage). */
  annotated(name: string, fallback: FolderType = 'input'): { name: string; type: FolderType } {
    const m = / \[(input|output|temp)\]$/.exec(name);
    return m ? { name: name.slice(0, -m[0].length), type: m[1] as FolderType } : { name, type: fallback };
  }

  /** folder_paths.get_annotated_filepath: absolute path of an input reference, or undefined if it escapes. */
  inputPath(name: string): string | undefined {
    const a = this.annotated(name);
    const base = this.dir(a.type);
    const file = path.resolve(base, a.name);
    return file.startsWith(base + path.sep) ? file : undefined;
  }

  inputFileExists = (name: string): boolean => {
    const file = this.inputPath(name);
    return file !== undefined && fs.existsSync(file) && fs.statSync(file).isFile();
  };

  /** LoadImage's combo: top-level image files of the input folder, sorted. */
  inputImages(): string[] {
    return fs
      .readdirSync(this.dir('input'), { withFileTypes: true })
      .filter((e) => e.isFile() && (MIME[path.extname(e.name).toLowerCase()] ?? '').startsWith('image/'))
      .map((e) => e.name)
      .sort();
  }

  /**
   * get_save_image_path: `%width%`-style variables, prefix dirname → subfolder, and the next
   * counter after the highest `<name>_<digits>_` already in that folder.
   */
  savePath(
    prefix: string,
    type: 'output' | 'temp',
    width: number,
    height: number,
  ): { folder: string; filename: string; counter: number; subfolder: string } {
    const base = this.dir(type);
    const expanded = prefix.includes('%') ? expandPrefixVars(prefix, width, height) : prefix;
    const norm = path.posix.normalize(expanded.replace(/\\/g, '/'));
    const subfolder = path.posix.dirname(norm) === '.' ? '' : path.posix.dirname(norm);
    const filename = path.posix.basename(norm);
    const folder = path.resolve(base, subfolder);
    if (path.isAbsolute(subfolder) || (folder !== base && !folder.startsWith(base + path.sep))) {
      throw new Error('**** ERROR: Saving image outside the output folder is not allowed.');
    }
    fs.mkdirSync(folder, { recursive: true });
    let counter = 0;
    for (const f of fs.readdirSync(folder)) {
      if (!f.startsWith(`${filename}_`)) continue;
      const digits = Number.parseInt(f.slice(filename.length + 1).split('_')[0] ?? '', 10);
      if (Number.isFinite(digits) && digits > counter) counter = digits;
    }
    return { folder, filename, counter: counter + 1, subfolder };
  }

  /** /view: resolves the query to a file, or the HTTP status ComfyUI answers with. */
  viewPath(q: URLSearchParams): { file: string } | { status: number } {
    const raw = q.get('filename');
    if (raw === null) return { status: 404 };
    const a = this.annotated(raw, 'output');
    const explicitType = / \[(input|output|temp)\]$/.test(raw) ? a.type : (q.get('type') ?? 'output');
    if (!a.name || a.name.startsWith('/') || a.name.includes('..')) return { status: 400 };
    if (!FOLDER_TYPES.includes(explicitType as FolderType)) return { status: 400 };
    let dir = this.dir(explicitType as FolderType);
    const sub = q.get('subfolder');
    if (sub !== null) {
      const full = path.resolve(dir, sub);
      if (full !== dir && !full.startsWith(dir + path.sep)) return { status: 403 };
      dir = full;
    }
    const file = path.join(dir, path.basename(a.name));
    return fs.existsSync(file) && fs.statSync(file).isFile() ? { file } : { status: 404 };
  }

  /** /upload/image: same name + same bytes → reuse; same name + other bytes → `name (1).ext`. */
  storeUpload(
    data: Buffer,
    filename: string,
    o: { type: string; subfolder: string; overwrite: boolean },
  ): { name: string; subfolder: string; type: string } | { status: number } {
    if (!FOLDER_TYPES.includes(o.type as FolderType)) return { status: 500 };
    const base = this.dir(o.type as FolderType);
    const folder = path.resolve(base, path.normalize(o.subfolder || '.'));
    let name = filename;
    let file = path.resolve(folder, name);
    if (!file.startsWith(base + path.sep)) return { status: 400 };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const ext = path.extname(filename);
    const stem = filename.slice(0, filename.length - ext.length);
    let duplicate = false;
    for (let i = 1; !o.overwrite && fs.existsSync(file); i++) {
      if (sha256(fs.readFileSync(file)) === sha256(data)) {
        duplicate = true;
        break;
      }
      name = `${stem} (${i})${ext}`;
      file = path.resolve(folder, name);
    }
    if (!duplicate) fs.writeFileSync(file, data);
    return { name, subfolder: o.subfolder, type: o.type };
  }
}

const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

/** folder_paths.compute_vars: the only variables the server expands (`%date:…%` is the frontend's). */
export function expandPrefixVars(prefix: string, width: number, height: number, now = new Date()): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return prefix
    .replaceAll('%width%', String(width))
    .replaceAll('%height%', String(height))
    .replaceAll('%year%', String(now.getFullYear()))
    .replaceAll('%month%', two(now.getMonth() + 1))
    .replaceAll('%day%', two(now.getDate()))
    .replaceAll('%hour%', two(now.getHours()))
    .replaceAll('%minute%', two(now.getMinutes()))
    .replaceAll('%second%', two(now.getSeconds()));
}
