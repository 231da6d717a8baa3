import { useCallback, useMemo, useState } from 'react';
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
  | 'score_prefix';

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
  reuse: (params: Record<string, unknown>) => void;
  applyReference: (ref: ImageRef) => void;
}

function without(errors: FieldErrors, keys: readonly string[]): FieldErrors {
  if (!keys.some((k) => errors[k] !== undefined)) return errors;
  const next = { ...errors };
  for (const k of keys) delete next[k];
  return next;
}

/** The studio form; lives above the tabs so it survives a visit to the gallery. */
export function useStudioForm(initial?: FormState): StudioForm {
  const [state, setState] = useState<FormState>(() => initial ?? initialForm());
  const [errors, setErrorsState] = useState<FieldErrors>({});

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
  const patch = useCallback((changes: Partial<Pick<FormState, SimpleField>>) => {
    setState((s) => ({ ...s, ...changes }));
    setErrorsState((e) => without(e, Object.keys(changes)));
  }, []);
  const setNumber = useCallback((param: NumericParam, value: string) => {
    setState((s) => ({ ...s, numbers: { ...s.numbers, [param]: value } }));
    setErrorsState((e) => without(e, [param]));
  }, []);
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
  const reuse = useCallback((params: Record<string, unknown>) => {
    setState((s) => fromParameters(s, params));
    setErrorsState({});
  }, []);
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
    }),
    [state, errors, setType, setModel, setMode, patch, setNumber, setImage, setErrors, reuse, applyReference],
  );
}
