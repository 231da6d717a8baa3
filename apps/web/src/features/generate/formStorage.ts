import { zGenerationType, zMode, zModelId } from '@mediagen/contract';
import type { FormState } from './formState.ts';

const KEY = 'mediagen.form';

/**
 * The studio form survives a reload: kept in localStorage (prompt and settings; images only as `asset:` handles,
 * never pixels). No key or token is ever in it.
 */
export function saveForm(s: FormState): void {
  try {
    const images = Object.fromEntries(Object.entries(s.images).filter(([, v]) => v.value.startsWith('asset:')));
    globalThis.localStorage?.setItem(KEY, JSON.stringify({ ...s, images }));
  } catch {
    // storage full or blocked: the form just does not survive a reload
  }
}

export function loadForm(): FormState | undefined {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    if (!raw) return undefined;
    const v = JSON.parse(raw) as Partial<FormState>;
    // enough to be a form of this version; anything else starts fresh
    if (
      !zGenerationType.safeParse(v.type).success ||
      !zModelId.safeParse(v.model).success ||
      !zMode.safeParse(v.mode).success ||
      typeof v.prompt !== 'string' ||
      typeof v.numbers !== 'object'
    )
      return undefined;
    return v as FormState;
  } catch {
    return undefined;
  }
}
