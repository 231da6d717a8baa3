// Pure: which catalog LoRAs a user may use, resolving a request's LoRAs against the catalog (422 details),
// and which backends hold a LoRA's files.
import {
  loraFiles,
  type ErrorDetail,
  type LoraAccess,
  type LoraFamily,
  type LoraRequest,
  type ResolvedLora,
} from '@mediagen/contract';

/** What resolution needs of a catalog entry. */
export interface LoraEntry {
  name: string;
  file: string;
  roleFiles: Readonly<Record<string, string>>;
  family: LoraFamily;
  access: LoraAccess;
  users: readonly string[];
  sha256: string | null;
  triggerWords: readonly string[];
}

/** Everyone; the listed users; administrators only (a staged LoRA no user session may use). */
export function mayUse(entry: Pick<LoraEntry, 'access' | 'users'>, userId: string): boolean {
  if (entry.access === 'everyone') return true;
  if (entry.access === 'users') return entry.users.includes(userId);
  return false;
}

/** A1111's AutoV2 hash: the first 10 hex digits of the file's SHA-256. */
export const autoV2Hash = (sha256: string): string => sha256.slice(0, 10);

export interface LoraResolution {
  loras: ResolvedLora[];
  /** trigger words of the LoRAs whose request asked for them, in order, without repeats */
  triggerWords: string[];
  /** one per offending entry (path `loras.i.name`) */
  invalid: ErrorDetail[];
}

/**
 * The request's LoRAs as a task stores them. An unknown name and one the user may not use read the same,
 * so a private LoRA's existence is not revealed.
 */
export function resolveLoras(
  requests: readonly LoraRequest[],
  entries: ReadonlyMap<string, LoraEntry>,
  model: { id: string; loraFamily: LoraFamily },
  userId: string,
): LoraResolution {
  const out: LoraResolution = { loras: [], triggerWords: [], invalid: [] };
  requests.forEach((r, i) => {
    const e = entries.get(r.name);
    const path = `loras.${i}.name`;
    if (!e || !mayUse(e, userId)) {
      out.invalid.push({ path, message: `"${r.name}" is not a LoRA you may use (GET /api/loras lists them)` });
      return;
    }
    if (e.family !== model.loraFamily) {
      out.invalid.push({
        path,
        message: `"${r.name}" is a ${e.family} LoRA; ${model.id} takes ${model.loraFamily} LoRAs`,
      });
      return;
    }
    out.loras.push({
      name: e.name,
      file: e.file,
      ...(Object.keys(e.roleFiles).length > 0 ? { role_files: { ...e.roleFiles } } : {}),
      strength: r.strength,
      ...(r.strength_clip !== undefined ? { strength_clip: r.strength_clip } : {}),
      family: e.family,
      ...(e.sha256 ? { hash: autoV2Hash(e.sha256) } : {}),
    });
    if (r.add_trigger_words)
      for (const w of e.triggerWords) if (!out.triggerWords.includes(w)) out.triggerWords.push(w);
  });
  return out;
}

/** The prompt with trigger words appended (those it already contains are not repeated). */
export function withTriggerWords(prompt: string, words: readonly string[]): string {
  const lower = prompt.toLowerCase();
  const add = words.filter((w) => !lower.includes(w.toLowerCase()));
  return add.length === 0 ? prompt : [prompt, ...add].filter((s) => s.length > 0).join(', ');
}

/** The files of a LoRA a backend lacks (empty: it holds the LoRA). */
export function missingFiles(entry: Pick<LoraEntry, 'file' | 'roleFiles'>, held: readonly string[]): string[] {
  return loraFiles({ file: entry.file, role_files: { ...entry.roleFiles } }).filter((f) => !held.includes(f));
}
