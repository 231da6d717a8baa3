import type { TaskStage } from '@mediagen/contract';
import { describe, expect, it } from 'vitest';
import { outputFiles, parseBinaryFrame, parseTextFrame, zHistoryEntry } from './comfyui-messages.ts';
import { MonotonicProgress, PromptProgress } from './prompt-progress.ts';
import { loadTemplates } from './workflow-templates.ts';

const set = loadTemplates();

function recorder(): { reports: Array<{ percent: number; stage: TaskStage }>; progress: MonotonicProgress } {
  const reports: Array<{ percent: number; stage: TaskStage }> = [];
  return { reports, progress: new MonotonicProgress({ onProgress: (r) => reports.push(r) }) };
}

describe('PromptProgress', () => {
  it('weighs the two AniSora passes by their steps (3 + 5) inside the 5–90 % band', () => {
    const pp = new PromptProgress(set.get('anisora', 'i2v').graph);
    const { reports, progress } = recorder();
    const at = (point: ReturnType<PromptProgress['started']> | undefined): void => progress.reportPoint(point, 0, 1);
    at(pp.started());
    for (const node of ['1', '2', '3', '4', '5', '6', '7', '8', '20', '9']) at(pp.executing(node));
    expect(reports.at(-1)).toEqual({ percent: 5, stage: 'loading_model' });
    at(pp.executing('10'));
    for (let v = 1; v <= 3; v++) at(pp.progress('10', v, 3));
    expect(reports.at(-1)).toEqual({ percent: Math.round((5 + 85 * (3 / 8)) * 10) / 10, stage: 'sampling' });
    at(pp.executing('11'));
    for (let v = 1; v <= 5; v++) at(pp.progress('11', v, 5));
    expect(reports.at(-1)).toEqual({ percent: 90, stage: 'sampling' });
    at(pp.executing('12'));
    expect(reports.at(-1)).toEqual({ percent: 90, stage: 'decoding' });
    at(pp.executing('13'));
    at(pp.executing('14'));
    expect(reports.at(-1)).toEqual({ percent: 95, stage: 'saving' });
    at(pp.finished());
    expect(reports.at(-1)).toEqual({ percent: 99, stage: 'saving' });
    const percents = reports.map((r) => r.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  });

  it('ignores unknown nodes and never goes back, also across the prompts of a video batch', () => {
    const pp = new PromptProgress(set.get('pony', 'txt2img').graph);
    const { reports, progress } = recorder();
    progress.reportPoint(pp.executing('6'), 0, 2);
    progress.reportPoint(pp.progress('6', 15, 30), 0, 2);
    progress.reportPoint(pp.progress('99', 1, 1), 0, 2);
    progress.reportPoint(pp.executing('3'), 0, 2); // a late encode event must not pull the percent back
    progress.reportPoint(pp.finished(), 0, 2);
    const second = new PromptProgress(set.get('pony', 'txt2img').graph);
    progress.reportPoint(second.started(), 1, 2);
    progress.report(100, 'done');
    expect(reports.map((r) => r.percent)).toEqual([2.5, 23.8, 49.5, 50.5, 100]);
    expect(reports.at(-1)?.stage).toBe('done');
  });
});

describe('ComfyUI messages', () => {
  it('validates known messages, ignores unknown ones and flags malformed known ones', () => {
    expect(parseTextFrame('{"type":"progress","data":{"value":3,"max":8,"prompt_id":"p","node":"10"}}')).toEqual({
      kind: 'message',
      message: { type: 'progress', data: { value: 3, max: 8, prompt_id: 'p', node: '10' } },
    });
    expect(parseTextFrame('{"type":"executing","data":{"node":null,"prompt_id":"p"}}')).toMatchObject({
      kind: 'message',
      message: { data: { node: null } },
    });
    expect(parseTextFrame('{"type":"crystools.monitor","data":{}}')).toEqual({ kind: 'ignored' });
    expect(parseTextFrame('not json')).toEqual({ kind: 'ignored' });
    expect(parseTextFrame('{"type":"progress","data":{"value":"x"}}')).toMatchObject({
      kind: 'malformed',
      type: 'progress',
    });
    expect(
      parseTextFrame('{"type":"execution_error","data":{"prompt_id":"p","node_id":7,"exception_message":"boom"}}'),
    ).toMatchObject({
      kind: 'message',
      message: { data: { node_id: '7', exception_type: '' } },
    });
  });

  it('decodes preview frames: type 1 (image at byte 8) and type 4 (JSON metadata)', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
    const t1 = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), jpeg]);
    expect(parseBinaryFrame(t1)).toEqual({ image: jpeg, mime: 'image/jpeg' });
    const meta = Buffer.from(JSON.stringify({ prompt_id: 'p1', node_id: '6', image_type: 'image/png' }));
    const head = Buffer.alloc(8);
    head.writeUInt32BE(4, 0);
    head.writeUInt32BE(meta.length, 4);
    expect(parseBinaryFrame(Buffer.concat([head, meta, jpeg]))).toEqual({
      image: jpeg,
      mime: 'image/png',
      promptId: 'p1',
      nodeId: '6',
    });
    head.writeUInt32BE(9999, 4);
    expect(parseBinaryFrame(Buffer.concat([head, meta, jpeg]))).toBeUndefined();
    expect(parseBinaryFrame(Buffer.from([0, 0, 0, 3, 0, 0, 0, 1, 65]))).toBeUndefined();
    expect(parseBinaryFrame(Buffer.from([0, 0, 0]))).toBeUndefined();
  });

  it('finds output files under images, gifs and videos, preferring the template output node and skipping temp files', () => {
    const entry = zHistoryEntry.parse({
      outputs: {
        '14': { images: [{ filename: 'a_00001_.mp4', subfolder: 'mediagen', type: 'output' }], animated: [true] },
        '30': {
          gifs: [{ filename: 'b.gif', subfolder: '', type: 'output', format: 'image/gif' }],
          videos: [{ filename: 'c.webm' }],
        },
        '31': { images: [{ filename: 'preview.png', type: 'temp' }, { nope: 1 }] },
      },
      status: { status_str: 'success', completed: true, messages: [['execution_start', { timestamp: 1 }]] },
    });
    expect(outputFiles(entry, '14').map((f) => f.filename)).toEqual(['a_00001_.mp4']);
    expect(outputFiles(entry).map((f) => f.filename)).toEqual(['a_00001_.mp4', 'b.gif', 'c.webm']);
    expect(outputFiles(entry, '99')).toHaveLength(3);
  });
});
