// Pure: ComfyUI reports progress per node (value/max of the node running now). This turns it into
// one rising percentage for the job: load/encode 0–5 %, sampler passes 5–90 % (weighted by their
// steps), decode 90–95 %, save 95–99 %, 100 only when the files are in hand.
import type { TaskStage } from '@mediagen/contract';
import type { EngineListener } from '#ports/engine.ts';
import type { ApiGraph } from './workflow-templates.ts';

const SAMPLERS = new Set(['KSampler', 'KSamplerAdvanced', 'SamplerCustom', 'SamplerCustomAdvanced']);
const BAND = { start: 0.01, encodeEnd: 0.05, sampleEnd: 0.9, decodeEnd: 0.95, saved: 0.99 } as const;

type Phase = 'encode' | 'sample' | 'decode' | 'save';

const isLinkTo = (v: unknown): string | undefined =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' ? v[0] : undefined;

/** Steps a sampler node will report: KSamplerAdvanced runs min(end, steps) − start. */
function expectedSteps(inputs: Record<string, unknown>, classType: string): number {
  const steps = Number(inputs.steps ?? 20);
  if (classType !== 'KSamplerAdvanced') return Math.max(1, Number.isFinite(steps) ? steps : 20);
  const end = Math.min(Number(inputs.end_at_step ?? steps), steps);
  return Math.max(1, end - Number(inputs.start_at_step ?? 0));
}

/** Per-node phase from the graph's shape: samplers sample, what feeds them encodes, what they feed decodes or saves. */
function phases(graph: ApiGraph): Map<string, Phase> {
  const downstream = new Set<string>();
  const consumers = new Map<string, string[]>();
  for (const [id, node] of Object.entries(graph)) {
    for (const v of Object.values(node.inputs)) {
      const from = isLinkTo(v);
      if (from) consumers.set(from, [...(consumers.get(from) ?? []), id]);
    }
  }
  const stack = Object.keys(graph).filter((id) => SAMPLERS.has(graph[id]!.class_type));
  while (stack.length > 0) {
    for (const next of consumers.get(stack.pop()!) ?? []) {
      if (!downstream.has(next)) {
        downstream.add(next);
        stack.push(next);
      }
    }
  }
  const out = new Map<string, Phase>();
  for (const [id, node] of Object.entries(graph)) {
    if (SAMPLERS.has(node.class_type)) out.set(id, 'sample');
    else if (!downstream.has(id)) out.set(id, 'encode');
    else out.set(id, /^(Save|Preview|CreateVideo|VHS_VideoCombine)/.test(node.class_type) ? 'save' : 'decode');
  }
  return out;
}

const STAGE: Record<Phase, TaskStage> = {
  encode: 'loading_model',
  sample: 'sampling',
  decode: 'decoding',
  save: 'saving',
};

export interface ProgressPoint {
  /** 0–1 within this prompt */
  fraction: number;
  stage: TaskStage;
}

/** Follows one prompt's node events and says how far along it is. */
export class PromptProgress {
  private readonly phase: Map<string, Phase>;
  private readonly samplerSteps = new Map<string, number>();
  private readonly totalSteps: number;
  private readonly encodeNodes: number;
  private readonly doneSteps = new Map<string, number>();
  private readonly seenEncode = new Set<string>();
  private current: string | undefined;

  constructor(graph: ApiGraph) {
    this.phase = phases(graph);
    for (const [id, node] of Object.entries(graph))
      if (SAMPLERS.has(node.class_type)) this.samplerSteps.set(id, expectedSteps(node.inputs, node.class_type));
    this.totalSteps = [...this.samplerSteps.values()].reduce((a, b) => a + b, 0);
    this.encodeNodes = [...this.phase.values()].filter((p) => p === 'encode').length;
  }

  started(): ProgressPoint {
    return { fraction: BAND.start, stage: 'loading_model' };
  }

  private sampled(): number {
    if (this.totalSteps === 0) return 0;
    const done = [...this.doneSteps.values()].reduce((a, b) => a + b, 0);
    return Math.min(1, done / this.totalSteps);
  }

  /** `executing` for a node: earlier samplers are finished by then (one node runs at a time). */
  executing(nodeId: string): ProgressPoint | undefined {
    const phase = this.phase.get(nodeId);
    if (!phase) return undefined;
    if (this.current && this.samplerSteps.has(this.current) && this.current !== nodeId)
      this.doneSteps.set(this.current, this.samplerSteps.get(this.current)!);
    this.current = nodeId;
    if (phase === 'encode') {
      this.seenEncode.add(nodeId);
      const share = this.encodeNodes === 0 ? 1 : this.seenEncode.size / this.encodeNodes;
      return { fraction: BAND.start + (BAND.encodeEnd - BAND.start) * Math.min(1, share), stage: 'loading_model' };
    }
    if (phase === 'sample')
      return { fraction: BAND.encodeEnd + (BAND.sampleEnd - BAND.encodeEnd) * this.sampled(), stage: 'sampling' };
    return { fraction: phase === 'decode' ? BAND.sampleEnd : BAND.decodeEnd, stage: STAGE[phase] };
  }

  /** A `progress` event (value of max) from a node; samplers weigh in by their share of all steps. */
  progress(nodeId: string | undefined, value: number, max: number): ProgressPoint | undefined {
    const id = nodeId ?? this.current;
    if (!id || !(max > 0)) return undefined;
    const ratio = Math.min(1, Math.max(0, value / max));
    const phase = this.phase.get(id);
    const steps = this.samplerSteps.get(id);
    if (steps !== undefined) {
      this.doneSteps.set(id, Math.max(this.doneSteps.get(id) ?? 0, ratio * steps));
      return { fraction: BAND.encodeEnd + (BAND.sampleEnd - BAND.encodeEnd) * this.sampled(), stage: 'sampling' };
    }
    if (phase === 'decode')
      return { fraction: BAND.sampleEnd + (BAND.decodeEnd - BAND.sampleEnd) * ratio, stage: 'decoding' };
    return undefined;
  }

  finished(): ProgressPoint {
    return { fraction: BAND.saved, stage: 'saving' };
  }
}

/** Maps prompts' fractions into the job's percent range and never lets the reported percent fall. */
export class MonotonicProgress {
  private last = -1;
  private lastStage: TaskStage | undefined;

  constructor(private readonly listener: Pick<EngineListener, 'onProgress'>) {}

  get percent(): number {
    return Math.max(0, this.last);
  }

  report(percent: number, stage: TaskStage): void {
    const p = Math.round(Math.min(100, Math.max(0, percent)) * 10) / 10;
    if (p < this.last || (p === this.last && stage === this.lastStage)) return;
    this.last = p;
    this.lastStage = stage;
    this.listener.onProgress({ percent: p, stage });
  }

  /** A point of prompt `index` of `count` (a video batch runs several prompts, each gets an equal share). */
  reportPoint(point: ProgressPoint | undefined, index: number, count: number): void {
    if (!point) return;
    const share = 100 / count;
    this.report(share * index + share * point.fraction, point.stage);
  }
}
