import { LORA_STRENGTH, MAX_LORAS, zLoraRequest, type LoraRequest } from '@mediagen/contract';

/** A LoRA picked in the studio: what the payload's `loras` entry carries. */
export type FormLora = LoraRequest;

/** LoRAs from stored parameters (a task's, a preset's, a dropped file's): well-typed entries only, at most 4. */
export function lorasFromParameters(value: unknown): FormLora[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((v: unknown) => {
      if (typeof v !== 'object' || v === null) return undefined;
      const { name, strength, strength_clip } = v as Record<string, unknown>;
      const parsed = zLoraRequest.safeParse({
        name,
        strength,
        ...(typeof strength_clip === 'number' ? { strength_clip } : {}),
      });
      return parsed.success ? parsed.data : undefined;
    })
    .filter((l): l is FormLora => l !== undefined)
    .slice(0, MAX_LORAS);
}

/** The payload's `loras`, or nothing when none is picked. */
export function lorasPayload(loras: readonly FormLora[] | undefined): { loras?: FormLora[] } {
  return loras && loras.length > 0 ? { loras: loras.map((l) => ({ ...l })) } : {};
}

export const clampStrength = (v: number): number =>
  Math.min(LORA_STRENGTH.max, Math.max(LORA_STRENGTH.min, Math.round(v * 100) / 100));

/** Add (at the default strength) or remove a LoRA; at most MAX_LORAS. */
export function toggleLora(list: readonly FormLora[], name: string, defaultStrength: number): FormLora[] {
  if (list.some((l) => l.name === name)) return list.filter((l) => l.name !== name);
  if (list.length >= MAX_LORAS) return [...list];
  return [...list, { name, strength: clampStrength(defaultStrength) }];
}

export function withLoraChange(list: readonly FormLora[], name: string, change: Partial<FormLora>): FormLora[] {
  return list.map((l) => (l.name === name ? { ...l, ...change } : l));
}
