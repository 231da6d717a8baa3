import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FileStore, StoredFile } from '#ports/file-store.ts';

const SAFE_KEY = /^[a-zA-Z0-9_\-/.]+$/;

async function walk(dir: string, root: string): Promise<StoredFile[]> {
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: StoredFile[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full, root)));
    else if (e.isFile()) {
      const st = await fsp.stat(full).catch(() => undefined);
      if (st)
        out.push({ key: path.relative(root, full).split(path.sep).join('/'), bytes: st.size, modifiedAt: st.mtimeMs });
    }
  }
  return out;
}

/** Media files under DATA_DIR. Writes are atomic (temp file + rename); a failed write leaves nothing behind. */
export function createDiskFileStore(root: string): FileStore {
  const resolve = (key: string): string => {
    // keys come from ids, but refuse anything that could walk out of the root anyway
    if (!SAFE_KEY.test(key) || key.includes('..') || key.startsWith('/')) throw new Error(`unsafe file key: ${key}`);
    return path.join(root, key);
  };
  return {
    async write(key, data) {
      const file = resolve(key);
      await fsp.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
      try {
        await fsp.writeFile(tmp, data);
        await fsp.rename(tmp, file);
      } catch (err) {
        await fsp.rm(tmp, { force: true }).catch(() => undefined);
        throw err;
      }
    },
    read: (key) => fsp.readFile(resolve(key)),
    stream: (key, range) => fs.createReadStream(resolve(key), range),
    size: async (key) => (await fsp.stat(resolve(key))).size,
    async readablePath(key) {
      return { path: resolve(key), release: async () => undefined };
    },
    async writablePath(key) {
      const file = resolve(key);
      await fsp.mkdir(path.dirname(file), { recursive: true });
      return { path: file, commit: async () => undefined, release: async () => undefined };
    },
    async remove(key) {
      await fsp.rm(resolve(key), { force: true });
    },
    async move(from, to) {
      const target = resolve(to);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.rename(resolve(from), target);
    },
    async removePrefix(prefix) {
      await fsp.rm(resolve(prefix), { recursive: true, force: true });
    },
    list: (prefix) => walk(resolve(prefix), root),
    async freeBytes() {
      const st = await fsp.statfs(root);
      return st.bavail * st.bsize;
    },
  };
}
