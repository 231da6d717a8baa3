import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveGeneration } from '@mediagen/contract';
import { openSqliteStore } from '#adapters/store/sqlite-store.ts';
import type { Store, TaskRecord } from '#ports/store.ts';
import { GalleryService, TRASH_DAYS } from './gallery.service.ts';

const DAY = 86_400_000;
let store: Store | undefined;

function task(id: string, ownerId: string, at: number): TaskRecord {
  const params = resolveGeneration(
    { type: 'image', model: 'pony', mode: 'txt2img', prompt: `p ${id}`, width: 512, height: 512, seed: 1 },
    () => 1,
  );
  return {
    id,
    ownerId,
    status: 'completed',
    stage: 'done',
    progress: 100,
    params,
    estimatedSeconds: 5,
    accountId: null,
    promptId: null,
    attempts: 1,
    error: null,
    errorCode: null,
    retriable: null,
    result: null,
    createdAt: at,
    updatedAt: at,
    startedAt: at,
    finishedAt: at,
    gpuMs: 1,
  };
}

afterEach(async () => {
  await store?.close();
});

describe('GalleryService trash', () => {
  it('keeps deleted items restorable for 7 days, then deletes them for good', async () => {
    let now = 1_000_000_000_000;
    store = openSqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mg-gallery-')), 'db.sqlite'), () => now);
    const s = store;
    for (const id of ['a', 'b']) await s.tasks.insert({ task: task(id, 'u1', now) });
    const removed: string[] = [];
    const gallery = new GalleryService({
      store: s,
      files: {} as never,
      media: { lastFrame: async () => Buffer.alloc(0) },
      images: {} as never,
      tasks: {
        owned: async () => task('a', 'u1', now),
        outputs: async () => [],
        remove: async (_owner, id) => {
          removed.push(id);
          await s.tasks.delete(id);
        },
      },
      now: () => now,
      log: { warn: () => undefined },
    });
    expect(await gallery.trash('u1', ['a', 'b', 'someone-elses'])).toEqual(['a', 'b']);
    expect(await gallery.trash('u2', ['a'])).toEqual([]); // another owner's ids are not theirs to move
    await gallery.restore('u1', 'b');
    expect((await gallery.trashList('u1')).items.map((i) => i.task_id)).toEqual(['a']);
    now += (TRASH_DAYS - 1) * DAY;
    expect(await gallery.purge()).toBe(0);
    now += 2 * DAY;
    expect(await gallery.purge()).toBe(1);
    expect(removed).toEqual(['a']);
    expect(await s.tasks.get('b')).toBeDefined();
  });
});
