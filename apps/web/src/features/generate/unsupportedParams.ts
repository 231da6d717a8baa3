import { useEffect, useState } from 'react';
import { MODELS, type ParamCondition, type UnsupportedParam } from '@mediagen/contract';
import { getModelsInfo } from '../../api/workspace.ts';
import { buildPayload, frameIndexInfo, framesInfo, type FormState } from './formState.ts';

let cached: UnsupportedParam[] | undefined;
let loading: Promise<UnsupportedParam[]> | undefined;

/** What the templates declare they cannot honour (GET /api/models), read once per page. */
export function useUnsupportedList(): UnsupportedParam[] {
  const [list, setList] = useState<UnsupportedParam[]>(() => cached ?? []);
  useEffect(() => {
    if (cached) return;
    loading ??= getModelsInfo().then(
      (info) => (cached = info.unsupported ?? []),
      () => [],
    );
    let live = true;
    void loading.then((l) => {
      if (live) setList(l);
    });
    return () => {
      live = false;
    };
  }, []);
  return list;
}

export function knownUnsupported(): UnsupportedParam[] {
  return cached ?? [];
}

function holds(c: ParamCondition, values: Record<string, unknown>): boolean {
  const left = values[c.field];
  let right: unknown = c.value;
  if (c.ref !== undefined) {
    const r = values[c.ref];
    right = typeof r === 'number' ? r + (c.offset ?? 0) : r;
  }
  const equal = typeof left === 'number' && typeof right === 'number' ? Math.abs(left - right) < 1e-9 : left === right;
  return c.op === 'eq' ? equal : !equal;
}

/**
 * Parameters the current model × mode cannot honour with the values in the form, and why: shown disabled
 * with the reason before anything is sent (the server would only report them after the run).
 */
export function unsupportedFor(
  s: Pick<FormState, 'model' | 'mode'>,
  values: Record<string, unknown>,
  list: readonly UnsupportedParam[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const u of list) {
    if (u.model !== s.model || u.mode !== s.mode) continue;
    if (u.when && !u.when.some((c) => holds(c, values))) continue;
    out.set(u.param, u.reason);
  }
  return out;
}

/** The values a template's conditions are checked against: defaults, the payload, the frames really produced. */
export function conditionValues(s: FormState, payload: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = { ...MODELS[s.model].defaults, ...payload };
  const frames = framesInfo(s);
  if (frames) values.num_frames = frames.produced;
  const idx = frameIndexInfo(s);
  if (idx) values.reference_frame_index = idx.snapped;
  return values;
}

/** The payload without what the template cannot honour (so nothing the user set is silently ignored). */
export function payloadFor(s: FormState, list: readonly UnsupportedParam[]): Record<string, unknown> {
  const payload = buildPayload(s);
  for (const param of unsupportedFor(s, conditionValues(s, payload), list).keys()) {
    if (param !== 'prompt') delete payload[param];
  }
  return payload;
}
