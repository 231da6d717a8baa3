import type { LoraAccess, LoraFamily } from '@mediagen/contract';

/** One entry of the operator's LoRA catalog (SPEC §11). */
export interface LoraRecord {
  /** the catalog name requests use (`<lora:name:strength>`) */
  name: string;
  /** the file under models/loras, as ComfyUI lists it */
  file: string;
  /** another file per graph chain role (a Wan 2.2 pair: high_noise, low_noise) */
  roleFiles: Record<string, string>;
  family: LoraFamily;
  title: string;
  description: string;
  triggerWords: string[];
  access: LoraAccess;
  /** user ids allowed when access is `users` */
  users: string[];
  sha256: string | null;
  sourceUrl: string | null;
  defaultStrength: number;
  /** file-store key of the preview image */
  previewKey: string | null;
  createdAt: number;
  updatedAt: number;
}

export type LoraPatchRecord = Partial<Omit<LoraRecord, 'name' | 'createdAt'>>;

/** The catalog's rows. */
export interface LoraStore {
  /** every entry, by name */
  list(): Promise<LoraRecord[]>;
  get(name: string): Promise<LoraRecord | undefined>;
  /** false when an entry of that name exists */
  insert(r: LoraRecord): Promise<boolean>;
  /** false when there is no such entry */
  update(name: string, patch: LoraPatchRecord): Promise<boolean>;
  /** false when there was no such entry */
  delete(name: string): Promise<boolean>;
}
