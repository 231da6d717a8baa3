// The engine over real HTTP + WebSocket against the ComfyUI-protocol simulator, spawned as its own process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {
  MODELS,
  resolveGeneration,
  type GenerateRequest,
  type Mode,
  type ModelId,
  type ResolvedGeneration,
  type TaskStage,
} from '@mediagen/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSimulatorProcess, type SimulatorProcess } from '#adapters/simulator/simulator-process.ts';
import {
  EngineError,
  type BackendRef,
  type EngineInputs,
  type EngineListener,
  type EngineResult,
} from '#ports/engine.ts';
import { ComfyUiClient } from '#adapters/engines/comfyui/comfyui-client.ts';
import { createComfyUiEngine, type ComfyUiEngine } from '#adapters/engines/comfyui/comfyui-engine.ts';
import { derivePromptId } from '#adapters/engines/comfyui/prompt-ids.ts';
import { executionError } from '#adapters/engines/comfyui/prompt-tracker.ts';
import { DEFAULT_WORKFLOWS_DIR } from '#adapters/engines/comfyui/workflow-templates.ts';

let simA: SimulatorProcess;
let simB: SimulatorProcess; // lacks the NF4 node and the Pony checkpoint; killed by the last test
let engine: ComfyUiEngine;
const FAST = { pollIntervalMs: 200, lostGraceMs: 1000, cancelWaitMs: 5000 };
const a = (): BackendRef => ({ id: 'a', name: 'sim-a', baseUrl: simA.urls[0]! });
const b = (): BackendRef => ({ id: 'b', name: 'sim-b', baseUrl: simB.urls[0]! });

function params(model: ModelId, mode: Mode, extra: Partial<GenerateRequest> = {}): ResolvedGeneration {
  return resolveGeneration(
    {
      type: MODELS[model].type,
      model,
      mode,
      prompt: 'a lighthouse at dusk',
      width: 512,
      height: 512,
      seed: 7,
      ...extra,
    },
    () => 1,
  );
}

interface Recorder extends EngineListener {
  submitted: string[];
  progress: Array<{ percent: number; stage: TaskStage }>;
  previews: string[];
  reached(stage: TaskStage): Promise<void>;
}

function recorder(): Recorder {
  const waiters: Array<{ stage: TaskStage; resolve: () => void }> = [];
  const r: Recorder = {
    submitted: [],
    progress: [],
    previews: [],
    onSubmitted: (id) => {
      r.submitted.push(id);
    },
    onProgress: (p) => {
      r.progress.push(p);
      for (const w of waiters.filter((x) => x.stage === p.stage)) w.resolve();
    },
    onPreview: (_image, mime) => r.previews.push(mime),
    reached: (stage) =>
      r.progress.some((p) => p.stage === stage)
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ stage, resolve })),
  };
  return r;
}

const run = (
  e: ComfyUiEngine,
  backend: BackendRef,
  p: ResolvedGeneration,
  l: EngineListener,
  opts: { taskId?: string; inputs?: EngineInputs; signal?: AbortSignal; existingPromptId?: string } = {},
): Promise<EngineResult> =>
  e.run(
    {
      taskId: opts.taskId ?? 'task-1',
      backend,
      params: p,
      inputs: opts.inputs ?? {},
      ...(opts.existingPromptId ? { existingPromptId: opts.existingPromptId } : {}),
    },
    l,
    opts.signal ?? new AbortController().signal,
  );

async function simJson(base: string, p: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(
    `${base}${p}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  return (await res.json()) as Record<string, unknown>;
}
const timeScale = (base: string, scale: number): Promise<unknown> =>
  simJson(base, '/sim/config', { time_scale: scale });

const caught = async (p: Promise<unknown>): Promise<EngineError> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected the run to fail');
};

const rising = (r: Recorder): boolean => r.progress.every((p, i) => i === 0 || p.percent >= r.progress[i - 1]!.percent);
const png = (color: string): Promise<Buffer> =>
  sharp({ create: { width: 512, height: 512, channels: 3, background: color } })
    .png()
    .toBuffer();

beforeAll(async () => {
  [simA, simB] = await Promise.all([
    startSimulatorProcess({ gpus: 1, timeScale: 0.01 }),
    startSimulatorProcess({
      gpus: 1,
      timeScale: 0.3,
      env: {
        SIM_MISSING_NODES: 'CheckpointLoaderNF4',
        SIM_MISSING_MODELS: 'ponyDiffusionV6XL_v6StartWithThisOne.safetensors',
      },
    }),
  ]);
  engine = createComfyUiEngine(FAST);
});

afterAll(async () => {
  await engine?.close();
  await Promise.all([simA?.stop(), simB?.stop()]);
});

describe('ComfyUI engine ↔ simulator', () => {
  it('pony txt2img: rising progress to 100, previews, one PNG per batch image', async () => {
    const l = recorder();
    const res = await run(engine, a(), params('pony', 'txt2img', { batch_size: 2, steps: 12 }), l);
    expect(res.files).toHaveLength(2);
    for (const f of res.files) {
      expect(f.kind).toBe('image');
      expect(f.filename).toMatch(/\.png$/);
      const meta = await sharp(f.data).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 512, 512]);
    }
    expect(l.submitted).toEqual([res.promptId]);
    expect(rising(l)).toBe(true);
    expect(l.progress.at(-1)).toEqual({ percent: 100, stage: 'done' });
    expect(l.progress.map((p) => p.stage)).toEqual(
      expect.arrayContaining(['loading_model', 'sampling', 'decoding', 'saving']),
    );
    expect(l.progress.filter((p) => p.stage === 'sampling').length).toBeGreaterThan(5);
    expect(l.previews.length).toBeGreaterThan(0);
    expect(l.previews.every((m) => m === 'image/jpeg')).toBe(true);
    expect(res.executionMs).toBeGreaterThan(0);
    expect(engine.loadedModel('a')).toBe('pony');
  });

  it('takes the result from the socket: no /history read after the run, and the same files and times /history holds', async () => {
    const found: string[] = [];
    const original = ComfyUiClient.prototype.getHistory;
    // observe (not change) the client: which history reads found a finished entry
    ComfyUiClient.prototype.getHistory = async function (this: ComfyUiClient, id: string) {
      const entry = await original.call(this, id);
      if (entry) found.push(id);
      return entry;
    };
    try {
      const res = await run(engine, a(), params('flux', 'txt2img', { steps: 6 }), recorder());
      expect(found).toEqual([]);
      const h = (await simJson(simA.urls[0]!, `/history/${res.promptId}`))[res.promptId] as {
        outputs: Record<string, { images: Array<{ filename: string }> }>;
        status: { messages: Array<[string, { timestamp: number }]> };
      };
      const at = (type: string): number => h.status.messages.find((m) => m[0] === type)![1].timestamp;
      expect(res.executionMs).toBe(at('execution_success') - at('execution_start'));
      expect(res.files.map((f) => f.filename)).toEqual(
        Object.values(h.outputs).flatMap((o) => o.images.map((i) => i.filename)),
      );
    } finally {
      ComfyUiClient.prototype.getHistory = original;
    }
  });

  it('a video batch runs one prompt per seed and collects every clip', async () => {
    const l = recorder();
    const res = await run(engine, a(), params('phr00t', 't2v', { batch_size: 2, num_frames: 17 }), l);
    expect(res.files.map((f) => [f.kind, f.data.subarray(4, 8).toString('latin1')])).toEqual([
      ['video', 'ftyp'],
      ['video', 'ftyp'],
    ]);
    expect(l.submitted).toEqual([res.promptId]);
    const second = derivePromptId(res.promptId, 1);
    expect(Object.keys(await simJson(simA.urls[0]!, `/history/${second}`))).toEqual([second]);
    expect(rising(l)).toBe(true);
    expect(l.progress.at(-1)?.percent).toBe(100);
  });

  it('uploads reference images under names made from the task id, and runs the custom keyframe node', async () => {
    const p = params('anisora', 'arbitrary_frame', { num_frames: 17, reference_frame_index: 8 });
    const res = await run(engine, a(), p, recorder(), {
      taskId: '../evil task',
      inputs: { reference: await png('#cc3300') },
    });
    expect(res.files).toHaveLength(1);
    const info = await simJson(simA.urls[0]!, '/object_info/LoadImage');
    const images = (info.LoadImage as { input: { required: { image: [string[]] } } }).input.required.image[0];
    expect(images).toContain('mediagen____evil_task_reference.png');
    expect(images.some((n) => n.includes('..'))).toBe(false);
  });

  it('re-attaches after a restart: a finished prompt is collected, a running one followed, an unknown one is backend_lost', async () => {
    const p = params('pony', 'txt2img', { steps: 8 });
    const first = await run(engine, a(), p, recorder());
    const l = recorder();
    const again = await run(createComfyUiEngine(FAST), a(), p, l, { existingPromptId: first.promptId });
    expect(again.files.map((f) => f.data.equals(first.files[0]!.data))).toEqual([true]);
    expect(l.submitted).toEqual([]);

    await timeScale(simA.urls[0]!, 0.2);
    try {
      const submitted = recorder();
      const original = run(engine, a(), params('pony', 'txt2img', { steps: 20, seed: 11 }), submitted);
      await submitted.reached('submitted');
      const restarted = createComfyUiEngine(FAST);
      const followed = await run(restarted, a(), params('pony', 'txt2img', { steps: 20, seed: 11 }), recorder(), {
        existingPromptId: submitted.submitted[0]!,
      });
      expect(followed.files).toHaveLength(1);
      await original;
      await restarted.close();
    } finally {
      await timeScale(simA.urls[0]!, 0.01);
    }

    const lost = await caught(
      run(engine, a(), p, recorder(), { existingPromptId: '00000000-0000-4000-8000-000000000000' }),
    );
    expect([lost.code, lost.retriable]).toEqual(['backend_lost', true]);
  });

  it('cancel: a queued prompt is deleted from the queue, the running one interrupted', async () => {
    await timeScale(simA.urls[0]!, 0.3);
    try {
      const c1 = new AbortController();
      const c2 = new AbortController();
      const l1 = recorder();
      const l2 = recorder();
      const running = run(engine, a(), params('pony', 'txt2img', { steps: 150, seed: 21 }), l1, { signal: c1.signal });
      await l1.reached('sampling');
      const queued = run(engine, a(), params('pony', 'txt2img', { steps: 150, seed: 22 }), l2, { signal: c2.signal });
      await l2.reached('submitted');
      const pendingIds = async (): Promise<string[]> =>
        ((await simJson(simA.urls[0]!, '/queue')).queue_pending as unknown[][]).map((i) => String(i[1]));
      expect(await pendingIds()).toContain(l2.submitted[0]);

      c2.abort();
      const e2 = await caught(queued);
      expect([e2.code, e2.message]).toEqual(['cancelled', expect.stringMatching(/removed from the queue/)]);
      expect(await pendingIds()).not.toContain(l2.submitted[0]);
      expect(await simJson(simA.urls[0]!, `/history/${l2.submitted[0]}`)).toEqual({});

      c1.abort();
      const e1 = await caught(running);
      expect([e1.code, e1.message]).toEqual(['cancelled', expect.stringMatching(/interrupted on backend sim-a/)]);
      const h = (await simJson(simA.urls[0]!, `/history/${l1.submitted[0]}`))[l1.submitted[0]!] as {
        status: { status_str: string; messages: Array<[string]> };
      };
      expect(h.status.status_str).toBe('error');
      expect(h.status.messages.map((m) => m[0])).toContain('execution_interrupted');
    } finally {
      await timeScale(simA.urls[0]!, 0.01);
    }
  });

  it('a node failure is backend_error (not retriable); an OOM is retriable; a refused graph is invalid_workflow', async () => {
    const failed = await caught(
      run(engine, a(), params('pony', 'txt2img', { prompt: 'a cat __sim_fail__', steps: 4 }), recorder()),
    );
    expect([failed.code, failed.retriable]).toEqual(['backend_error', false]);
    expect(failed.message).toMatch(/^Backend sim-a: KSampler \(node 6\) failed: simulated sampler failure/);
    expect(
      executionError('gpu1', {
        exception_type: 'torch.OutOfMemoryError',
        exception_message: 'CUDA out of memory. Tried to allocate 2 GiB',
      }).retriable,
    ).toBe(true);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-bad-'));
    const t = JSON.parse(fs.readFileSync(path.join(DEFAULT_WORKFLOWS_DIR, 'pony.txt2img.json'), 'utf8')) as {
      bindings: Array<Record<string, unknown>>;
    };
    for (const bnd of t.bindings) if (bnd.input === 'sampler_name') bnd.map = { 'Euler a': 'euler_bogus' };
    fs.writeFileSync(path.join(dir, 'pony.txt2img.json'), JSON.stringify(t));
    const bad = createComfyUiEngine({ ...FAST, workflowsDir: dir });
    const refused = await caught(run(bad, a(), params('pony', 'txt2img'), recorder()));
    expect([refused.code, refused.retriable]).toEqual(['invalid_workflow', false]);
    expect(refused.message).toMatch(/refused workflow pony\.txt2img.*node 6 \(KSampler\).*euler_bogus/);
    const noTemplate = await caught(run(bad, a(), params('flux', 'txt2img'), recorder()));
    expect(noTemplate.code).toBe('invalid_workflow');
    await bad.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('health: a complete backend passes with VRAM; gaps are named in words an operator can act on', async () => {
    const ok = await engine.checkHealth(a(), ['anisora', 'phr00t', 'pony', 'flux']);
    expect(ok).toMatchObject({ ok: true, missingNodes: [], missingModels: [], warnings: [] });
    expect(ok.models.every((m) => m.ready)).toBe(true);
    expect(ok.vramTotal).toBeGreaterThan(0);

    // per model: the account still serves phr00t; pony lacks a file, flux a pack (its file is there)
    const gaps = await engine.checkHealth(b(), ['pony', 'flux', 'phr00t']);
    expect(gaps.ok).toBe(true);
    expect(gaps.models.map((m) => [m.model, m.ready])).toEqual([
      ['pony', false],
      ['flux', false],
      ['phr00t', true],
    ]);
    expect(gaps.missingNodes).toEqual(['CheckpointLoaderNF4']);
    expect(gaps.missingModels).toEqual(['checkpoints/ponyDiffusionV6XL_v6StartWithThisOne.safetensors']);
    expect(gaps.models[0]!.missingFiles).toEqual([
      expect.objectContaining({
        folder: 'checkpoints',
        file: 'ponyDiffusionV6XL_v6StartWithThisOne.safetensors',
        bytes: 6938041050,
        url: 'https://civitai.com/api/download/models/290640',
      }),
    ]);
    expect(gaps.models[1]!.missingPacks).toEqual([
      {
        name: 'ComfyUI_bitsandbytes_NF4',
        repository: 'https://github.com/comfyanonymous/ComfyUI_bitsandbytes_NF4',
        commit: '6c65152bc48b28fc44cec3aa44035a8eba400eb9',
        nodes: ['CheckpointLoaderNF4'],
      },
    ]);
    expect(gaps.reason).toBe(
      'serves phr00t; not ready — pony: missing model files: checkpoints/ponyDiffusionV6XL_v6StartWithThisOne.safetensors | flux: install pack ComfyUI_bitsandbytes_NF4 at 6c65152bc48b (CheckpointLoaderNF4)',
    );
    const none = await engine.checkHealth(b(), ['pony', 'flux']);
    expect([none.ok, none.reason]).toEqual([false, expect.stringMatching(/^ready for none of its models — pony: /)]);
    expect((await engine.checkHealth(b(), ['phr00t'])).ok).toBe(true);
    expect(engine.requirements(['flux']).nodeClasses).toContain('CheckpointLoaderNF4');

    const port = await freePort();
    const gone = await engine.checkHealth({ id: 'x', name: 'nowhere', baseUrl: `http://127.0.0.1:${port}` }, ['pony']);
    expect(gone.ok).toBe(false);
    expect(gone.reason).toMatch(
      new RegExp(
        `^http://127\\.0\\.0\\.1:${port} does not answer /system_stats \\(.*ECONNREFUSED.*\\): check that ComfyUI runs there`,
      ),
    );
  });

  it('a backend killed mid-job ends the run with backend_lost, retriable, within the grace period', async () => {
    const l = recorder();
    const job = run(engine, b(), params('phr00t', 't2v', { num_frames: 81 }), l);
    await l.reached('sampling');
    simB.child.kill('SIGKILL');
    const err = await caught(job);
    expect([err.code, err.retriable, err.message]).toEqual([
      'backend_lost',
      true,
      'Backend sim-b stopped answering during the job',
    ]);
  });
});
