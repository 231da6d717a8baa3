import { describe, expect, it } from 'vitest';
import { DEFAULT_OUTPUT_THRESHOLDS, type OutputCheckMode } from '#domain/output-policy.ts';
import type { NsfwScores, OutputClassifier } from '#ports/output-classifier.ts';
import { resolvedParams, taskRecord } from '../../test/factories.ts';
import { FakeMediaTools } from '../../test/fakes/fake-media-tools.ts';
import { MemoryFileStore } from '../../test/fakes/memory-file-store.ts';
import { createMemoryStore } from '../../test/fakes/memory-store.ts';
import { OutputCheck, OutputWithheldError, type WrittenOutput } from './output-check.ts';

const EXPLICIT: NsfwScores = { porn: 0.8, hentai: 0, sexy: 0.1, neutral: 0.1, drawing: 0 };
const CLEAN: NsfwScores = { porn: 0, hentai: 0, sexy: 0.05, neutral: 0.9, drawing: 0.05 };

/** A classifier that scores outputs explicit by their first byte ('X'); counts its calls. */
function byteClassifier(): OutputClassifier & { calls: number } {
  const c = {
    calls: 0,
    async classifyImage(image: Buffer) {
      c.calls += 1;
      return image[0] === 0x58 ? EXPLICIT : CLEAN;
    },
    async classifyVideo() {
      c.calls += 1;
      return [CLEAN, CLEAN, EXPLICIT, CLEAN];
    },
    async close() {},
  };
  return c;
}

async function setup(mode: OutputCheckMode, prompt: string, sfwUser = false) {
  const store = createMemoryStore();
  const files = new MemoryFileStore();
  const classifier = byteClassifier();
  const audit: string[] = [];
  const task = taskRecord({ ownerId: 'user-1', params: resolvedParams({ prompt, batch_size: 2 }) });
  if (sfwUser) await store.content.setUserSettings('user-1', { sfw: true }, 1);
  const outputs: WrittenOutput[] = [];
  for (const [idx, first] of ['X', 'P'].entries()) {
    const key = `media/${task.id}/${idx}.png`;
    await files.write(key, Buffer.from(`${first}-not-really-a-png`));
    outputs.push({ key, mime: 'image/png', idx, width: 64, height: 64 });
  }
  const check = new OutputCheck({
    store,
    files,
    media: new FakeMediaTools(files),
    classifier: () => classifier,
    mode,
    thresholds: { ...DEFAULT_OUTPUT_THRESHOLDS },
    mentionsMinor: (p) => p.includes('child'),
    now: () => 5,
    audit: async (e) => {
      audit.push(e.action);
    },
    log: { warn: () => undefined },
  });
  return { store, files, classifier, audit, task, outputs, check };
}

describe('output checks in the worker', () => {
  it('never runs the classifier when no rule could withhold the job', async () => {
    for (const [mode, prompt] of [
      ['minors', 'a red fox'],
      ['off', 'a child flying a kite'],
    ] as const) {
      const s = await setup(mode, prompt);
      await s.check.check(s.task, s.outputs);
      expect(s.classifier.calls).toBe(0);
    }
  });

  it('minor indicator + explicit output: explicit file to quarantine, the rest dropped, audited without the prompt', async () => {
    const s = await setup('minors', 'a child flying a kite');
    await expect(s.check.check(s.task, s.outputs)).rejects.toBeInstanceOf(OutputWithheldError);
    expect(s.files.keys('media/')).toEqual([]);
    expect(s.files.keys('quarantine/')).toEqual([
      `quarantine/${s.task.id}/0.png`,
      `quarantine/${s.task.id}/preview.jpg`,
    ]);
    const [q] = await s.store.content.listQuarantine(10);
    expect(q).toMatchObject({ taskId: s.task.id, rule: 'minor+explicit', scores: { porn: 0.8, hentai: 0, sexy: 0.1 } });
    expect(q?.files.map((f) => f.idx)).toEqual([0]);
    expect(s.audit).toEqual(['output.withheld rule=minor+explicit porn=0.8 hentai=0 sexy=0.1']);
  });

  it('delivers clean outputs of a minor prompt, and withholds for `all` and for a safe-for-work user', async () => {
    const clean = await setup('minors', 'a child flying a kite');
    await clean.check.check(clean.task, clean.outputs.slice(1));
    expect(clean.files.keys('media/')).toHaveLength(2);
    const all = await setup('all', 'a red fox');
    await expect(all.check.check(all.task, all.outputs)).rejects.toMatchObject({ rule: 'sfw-instance' });
    const user = await setup('minors', 'a red fox', true);
    await expect(user.check.check(user.task, user.outputs)).rejects.toMatchObject({ rule: 'sfw-user' });
  });

  it('judges a clip by its sampled frames', async () => {
    const s = await setup('minors', 'a child flying a kite');
    const key = `media/${s.task.id}/0.mp4`;
    await s.files.write(key, Buffer.from('clip'));
    await expect(
      s.check.check(s.task, [{ key, mime: 'video/mp4', idx: 0, width: 64, height: 64 }]),
    ).rejects.toBeInstanceOf(OutputWithheldError);
    expect(s.files.keys('quarantine/')).toContain(`quarantine/${s.task.id}/0.mp4`);
  });
});
