import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FileStore } from '#ports/file-store.ts';

const SAFE_KEY = /^[a-zA-Z0-9_\-/.]+$/;

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
      const tmp = `${file}.${process.pid}.tmp`;
      await fsp.writeFile(tmp, data);
      await fsp.rename(tmp, file);
    },
    read: (key) => fsp.readFile(resolve(key)),
    stream: (key, range) => fs.createReadStream(resolve(key), range),
    size: async (key) => (await fsp.stat(resolve(key))).size,
    localPath: resolve,
    async remove(key) {
      await fsp.rm(resolve(key), { force: true });
    },
    async removePrefix(prefix) {
      await fsp.rm(resolve(prefix), { recursive: true, force: true });
    },
  };
}
