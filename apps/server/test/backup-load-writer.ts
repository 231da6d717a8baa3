// A stand-in for a busy gateway during the backup test: its own process, the real SQLite store, a media file
// written and then its asset row committed (the order the worker uses), as fast as it can, until SIGTERM.
import crypto from 'node:crypto';
import path from 'node:path';
import { createDiskFileStore } from '#adapters/files/disk-file-store.ts';
import { openSqliteStore } from '#adapters/store/sqlite-store.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: backup-load-writer.ts DATA_DIR');
const store = openSqliteStore(path.join(dataDir, 'mediagen.db'));
const files = createDiskFileStore(dataDir);
const owner = `load-${process.pid}`;
await store.users.insert({
  id: owner,
  name: 'load',
  keyHash: null,
  credits: null,
  createdAt: Date.now(),
  deletedAt: null,
});

let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});

const deadline = Date.now() + 60_000;
const MAX_ROWS = 3000; // bounded: the later tests copy this folder several times
let n = 0;
while (!stopping && Date.now() < deadline && n < MAX_ROWS) {
  const id = crypto.randomUUID();
  const key = `media/${id}/0.png`;
  const data = crypto.randomBytes(4096 + (n % 8) * 1024);
  await files.write(key, data);
  await store.assets.insert({
    id,
    ownerId: owner,
    taskId: null,
    kind: 'output',
    idx: 0,
    path: key,
    mime: 'image/png',
    width: 64,
    height: 64,
    bytes: data.length,
    createdAt: Date.now(),
  });
  n++;
  process.stdout.write(`committed ${id}\n`);
  await new Promise((resolve) => setImmediate(resolve));
}
process.stdout.write(`done ${n}\n`);
