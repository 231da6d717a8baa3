import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { GenerationType, ImageField, Mode, ModelId, NumericParam } from '@mediagen/contract';
import {
  fromParameters,
  initialForm,
  withMode,
  withModel,
  withReference,
  withType,
  type FormState,
  type ImageRef,
} from './formState.ts';
import { loadForm, saveForm } from './formStorage.ts';

/** path → message (as sent by the contract or server; localised when shown) */
export type FieldErrors = Partial<Record<string, string>>;

type SimpleField =
  | 'prompt'
  | 'negative_prompt'
  | 'width'
  | 'height'
  | 'seed'
  | 'batch_size'
  | 'output_format'
  | 'sampler'
  | 'lighting_variant'
  | 'score_prefix'
  | 'loras';

export interface StudioForm {
  state: FormState;
  errors: FieldErrors;
  setType: (type: GenerationType) => void;
  setModel: (id: ModelId) => void;
  setMode: (mode: Mode) => void;
  patch: (changes: Partial<Pick<FormState, SimpleField>>) => void;
  setNumber: (param: NumericParam, value: string) => void;
  setImage: (field: ImageField, ref: ImageRef | undefined) => void;
  setErrors: (errors: FieldErrors) => void;
  /** fill the form from parameters (reuse settings, a preset, a dropped file); undo brings the form back */
  reuse: (params: Record<string, unknown>, source?: UndoSource) => void;
  applyReference: (ref: ImageRef) => void;
  /** what the last reuse replaced, until undone or the form is edited twice more */
  undo: { source: UndoSource; apply: () => void; drop: () => void } | null;
  /** fields the user changed since they were filled (validation as the user types shows their problems) */
  touched: ReadonlySet<string>;
}

export type UndoSource = 'reuse' | 'preset' | 'file' | 'history';

function without(errors: FieldErrors, keys: readonly string[]): FieldErrors {
  if (!keys.some((k) => errors[k] !== undefined)) return errors;
  const next = { ...errors };
  for (const k of keys) delete next[k];
  return next;
}

/** The studio form; lives above the tabs so it survives a visit to the gallery. */
export function useStudioForm(initial?: FormState): StudioForm {
  const [state, setState] = useState<FormState>(() => initial ?? loadForm() ?? initialForm());
  const [errors, setErrorsState] = useState<FieldErrors>({});
  const [undoState, setUndoState] = useState<{ source: UndoSource; before: FormState } | null>(null);
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const touch = useCallback((keys: readonly string[]) => {
    setTouched((t) => (keys.every((k) => t.has(k)) ? t : new Set([...t, ...keys])));
  }, []);

  const latestState = useRef(state);
  useEffect(() => {
    latestState.current = state;
  });

  // kept across reloads (debounced: typing is not a write per key)
  const saveTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    clearTimeout(saveTimer.current);
    saveTimer.current = setTimeout(() => saveForm(state), 300);
    return () => clearTimeout(saveTimer.current);
  }, [state]);
  useEffect(() => {
    const flush = (): void => saveForm(latestState.current);
    window.addEventListener('pagehide', flush);
    return () => window.removeEventListener('pagehide', flush);
  }, []);

  // Switching model/type/mode changes which fields exist: old messages would point at nothing.
  const setType = useCallback((type: GenerationType) => {
    setState((s) => withType(s, type));
    setErrorsState({});
  }, []);
  const setModel = useCallback((id: ModelId) => {
    setState((s) => withModel(s, id));
    setErrorsState({});
  }, []);
  const setMode = useCallback((mode: Mode) => {
    setState((s) => withMode(s, mode));
    setErrorsState({});
  }, []);
  const patch = useCallback(
    (changes: Partial<Pick<FormState, SimpleField>>) => {
      setState((s) => ({ ...s, ...changes }));
      setErrorsState((e) => without(e, Object.keys(changes)));
      touch(Object.keys(changes));
    },
    [touch],
  );
  const setNumber = useCallback(
    (param: NumericParam, value: string) => {
      setState((s) => ({ ...s, numbers: { ...s.numbers, [param]: value } }));
      setErrorsState((e) => without(e, [param]));
      touch([param]);
    },
    [touch],
  );
  const setImage = useCallback((field: ImageField, ref: ImageRef | undefined) => {
    setState((s) => {
      const images = { ...s.images };
      if (ref) images[field] = ref;
      else delete images[field];
      return { ...s, images };
    });
    setErrorsState((e) => without(e, [field, 'reference_image']));
  }, []);
  const setErrors = useCallback((next: FieldErrors) => setErrorsState(next), []);
  const reuse = useCallback((params: Record<string, unknown>, source: UndoSource = 'reuse') => {
    const before = latestState.current;
    setUndoState({ source, before });
    setState(fromParameters(before, params));
    setErrorsState({});
    setTouched(new Set());
  }, []);
  const undo = useMemo(
    () =>
      undoState
        ? {
            source: undoState.source,
            apply: () => {
              setState(undoState.before);
              setUndoState(null);
            },
            drop: () => setUndoState(null),
          }
        : null,
    [undoState],
  );
  const applyReference = useCallback((ref: ImageRef) => {
    setState((s) => withReference(s, ref));
    setErrorsState((e) => without(e, ['reference_image', 'first_frame_image']));
  }, []);

  return useMemo(
    () => ({
      state,
      errors,
      setType,
      setModel,
      setMode,
      patch,
      setNumber,
      setImage,
      setErrors,
      reuse,
      applyReference,
      undo,
      touched,
    }),
    [
      state,
      errors,
      setType,
      setModel,
      setMode,
      patch,
      setNumber,
      setImage,
      setErrors,
      reuse,
      applyReference,
      undo,
      touched,
    ],
  );
}
