import {
  MODELS,
  loraFiles,
  type GenerateRequest,
  type LoraAdminView,
  type LoraCatalog,
  type LoraCreate,
  type LoraList,
  type LoraPatch,
  type LoraView,
  type ModelId,
  type UnsupportedParam,
} from '@mediagen/contract';
import { AppError, notFound } from '#domain/app-error.ts';
import { missingFiles, mayUse, resolveLoras, type LoraResolution } from '#domain/lora-library.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { LoraPatchRecord, LoraRecord } from '#ports/lora-store.ts';
import type { MediaTools } from '#ports/media-tools.ts';
import type { AccountRecord, Store } from '#ports/store.ts';
import { file, type FileReply } from './replies.ts';
import { loraSetupScript } from './lora-setup-script.ts';

export interface LorasDeps {
  store: Pick<Store, 'loras'>;
  files: Pick<FileStore, 'write' | 'read' | 'remove' | 'stream' | 'size'>;
  media: Pick<MediaTools, 'normalizeImage'>;
  accounts: { list(): AccountRecord[]; readyModels(a: AccountRecord): readonly ModelId[] };
  /** what the templates cannot take (a model whose template lists `loras` cannot use them) */
  unsupportedParams(): UnsupportedParam[];
  now: () => number;
}

const PREVIEW_SIZE = 256;
const previewKey = (name: string): string => `loras/previews/${name}.png`;
const iso = (ms: number): string => new Date(ms).toISOString();

/** Decodes base64 or a data: URL. */
function imageBytes(s: string): Buffer {
  const comma = s.startsWith('data:') ? s.indexOf(',') : -1;
  return Buffer.from(comma >= 0 ? s.slice(comma + 1) : s, 'base64');
}

/** The LoRA library (SPEC §11): per-request resolution, what a user may pick, the operator's catalog. */
export class LorasService {
  constructor(private readonly d: LorasDeps) {}

  private async entries(): Promise<Map<string, LoraRecord>> {
    return new Map((await this.d.store.loras.list()).map((r) => [r.name, r]));
  }

  /** The request's LoRAs resolved against the catalog; 422 naming each offending entry. */
  async resolveFor(userId: string, req: Pick<GenerateRequest, 'model' | 'loras'>): Promise<LoraResolution> {
    if (!req.loras || req.loras.length === 0) return { loras: [], triggerWords: [], invalid: [] };
    const model = MODELS[req.model];
    const r = resolveLoras(req.loras, await this.entries(), { id: model.id, loraFamily: model.loraFamily }, userId);
    if (r.invalid.length > 0) throw new AppError('validation_error', 'Some LoRAs cannot be used here', r.invalid);
    return r;
  }

  /** The ready backends (serving the model, if given) that hold every file of the entry, by name. */
  private holders(r: LoraRecord, model: ModelId | undefined): string[] {
    return this.d.accounts
      .list()
      .filter((a) => a.status === 'ready' && (model === undefined || this.d.accounts.readyModels(a).includes(model)))
      .filter((a) => missingFiles(r, a.loras).length === 0)
      .map((a) => a.name);
  }

  private view(r: LoraRecord, model: ModelId | undefined): LoraView {
    const on = this.holders(r, model);
    return {
      name: r.name,
      title: r.title,
      family: r.family,
      description: r.description,
      trigger_words: r.triggerWords,
      default_strength: r.defaultStrength,
      preview_url: r.previewKey ? `/api/loras/${encodeURIComponent(r.name)}/preview` : null,
      available: on.length > 0,
      available_on: on,
    };
  }

  /** GET /api/loras: what the user may use (of the model's family), and where. */
  async list(userId: string, model: ModelId | undefined): Promise<LoraList> {
    const family = model ? MODELS[model].loraFamily : null;
    const refusal = model
      ? this.d.unsupportedParams().find((u) => u.model === model && u.param === 'loras')
      : undefined;
    const items = [...(await this.entries()).values()]
      .filter((r) => mayUse(r, userId) && (family === null || r.family === family))
      .map((r) => this.view(r, model));
    return { model: model ?? null, family, supported: !refusal, reason: refusal?.reason ?? null, items };
  }

  private previewReply(r: LoraRecord | undefined): FileReply {
    const key = r?.previewKey;
    if (!key) throw notFound('Preview');
    return file({
      contentType: 'image/png',
      size: undefined,
      open: () => this.d.files.stream(key),
      ranges: false,
      cacheControl: 'private, max-age=300',
    });
  }

  async preview(userId: string, name: string): Promise<FileReply> {
    const r = await this.d.store.loras.get(name);
    return this.previewReply(r && mayUse(r, userId) ? r : undefined);
  }

  async adminPreview(name: string): Promise<FileReply> {
    return this.previewReply(await this.d.store.loras.get(name));
  }

  private adminView(r: LoraRecord): LoraAdminView {
    const { available: _a, available_on: _o, ...base } = this.view(r, undefined);
    return {
      ...base,
      preview_url: r.previewKey ? `/api/admin/loras/${encodeURIComponent(r.name)}/preview` : null,
      file: r.file,
      role_files: r.roleFiles,
      access: r.access,
      users: r.users,
      sha256: r.sha256,
      source_url: r.sourceUrl,
      created_at: iso(r.createdAt),
      updated_at: iso(r.updatedAt),
      backends: this.d.accounts.list().map((a) => {
        const missing = missingFiles(r, a.loras);
        return {
          account_id: a.id,
          name: a.name,
          status: a.status,
          holds: missing.length === 0,
          missing_files: missing,
        };
      }),
    };
  }

  /** GET /api/admin/loras: the catalog, and LoRA files backends hold that no entry names. */
  async catalog(): Promise<LoraCatalog> {
    const rows = [...(await this.entries()).values()];
    const named = new Set(rows.flatMap((r) => loraFiles({ file: r.file, role_files: r.roleFiles })));
    const unlisted = new Map<string, string[]>();
    for (const a of this.d.accounts.list())
      for (const f of a.loras) if (!named.has(f)) unlisted.set(f, [...(unlisted.get(f) ?? []), a.name]);
    return {
      items: rows.map((r) => this.adminView(r)),
      unlisted: [...unlisted].sort(([x], [y]) => (x < y ? -1 : 1)).map(([f, accounts]) => ({ file: f, accounts })),
    };
  }

  /** A preview image as a 256 px square PNG in the file store; 422 when it is not an image. */
  private async storePreview(name: string, image: string): Promise<string> {
    let png: Buffer;
    try {
      ({ png } = await this.d.media.normalizeImage(imageBytes(image), {
        maxPixels: 50_000_000,
        resizeTo: { width: PREVIEW_SIZE, height: PREVIEW_SIZE },
      }));
    } catch (err) {
      if (err instanceof Error && err.name === 'BadImageError')
        throw new AppError('validation_error', 'The preview is not a usable image', [
          { path: 'preview_image', message: err.message },
        ]);
      throw err;
    }
    const key = previewKey(name);
    await this.d.files.write(key, png);
    return key;
  }

  private checkAccess(access: LoraRecord['access'], users: readonly string[]): void {
    if (access === 'users' && users.length === 0)
      throw new AppError('validation_error', 'Access "users" needs at least one user', [
        { path: 'users', message: 'list the users who may use it' },
      ]);
  }

  async create(input: LoraCreate): Promise<LoraAdminView> {
    const now = this.d.now();
    const r: LoraRecord = {
      name: input.name,
      file: input.file,
      roleFiles: input.role_files ?? {},
      family: input.family,
      title: input.title || input.name,
      description: input.description ?? '',
      triggerWords: input.trigger_words ?? [],
      access: input.access ?? 'everyone',
      users: input.users ?? [],
      sha256: input.sha256 ?? null,
      sourceUrl: input.source_url ?? null,
      defaultStrength: input.default_strength ?? 1,
      previewKey: null,
      createdAt: now,
      updatedAt: now,
    };
    this.checkAccess(r.access, r.users);
    if (await this.d.store.loras.get(r.name)) throw new AppError('conflict', `A LoRA named "${r.name}" exists`);
    if (input.preview_image) r.previewKey = await this.storePreview(r.name, input.preview_image);
    if (!(await this.d.store.loras.insert(r))) throw new AppError('conflict', `A LoRA named "${r.name}" exists`);
    return this.adminView(r);
  }

  async patch(name: string, p: LoraPatch): Promise<LoraAdminView> {
    const current = await this.d.store.loras.get(name);
    if (!current) throw notFound('LoRA');
    const patch: LoraPatchRecord = {
      ...(p.file !== undefined ? { file: p.file } : {}),
      ...(p.role_files !== undefined ? { roleFiles: p.role_files } : {}),
      ...(p.family !== undefined ? { family: p.family } : {}),
      ...(p.title !== undefined ? { title: p.title || name } : {}),
      ...(p.description !== undefined ? { description: p.description } : {}),
      ...(p.trigger_words !== undefined ? { triggerWords: p.trigger_words } : {}),
      ...(p.access !== undefined ? { access: p.access } : {}),
      ...(p.users !== undefined ? { users: p.users } : {}),
      ...(p.sha256 !== undefined ? { sha256: p.sha256 } : {}),
      ...(p.source_url !== undefined ? { sourceUrl: p.source_url } : {}),
      ...(p.default_strength !== undefined ? { defaultStrength: p.default_strength } : {}),
      updatedAt: this.d.now(),
    };
    this.checkAccess(patch.access ?? current.access, patch.users ?? current.users);
    if (p.preview_image === null && current.previewKey) {
      await this.d.files.remove(current.previewKey);
      patch.previewKey = null;
    } else if (p.preview_image) patch.previewKey = await this.storePreview(name, p.preview_image);
    if (!(await this.d.store.loras.update(name, patch))) throw notFound('LoRA');
    return this.adminView({ ...current, ...patch });
  }

  async remove(name: string): Promise<void> {
    const current = await this.d.store.loras.get(name);
    if (!current || !(await this.d.store.loras.delete(name))) throw notFound('LoRA');
    if (current.previewKey) await this.d.files.remove(current.previewKey).catch(() => undefined);
  }

  /** A bash script that downloads the LoRA's file into models/loras and checks its SHA-256. */
  async setupScript(name: string): Promise<string> {
    const r = await this.d.store.loras.get(name);
    if (!r) throw notFound('LoRA');
    if (!r.sourceUrl)
      throw new AppError('validation_error', 'The LoRA has no source URL to download it from', [
        { path: 'source_url', message: 'set it first' },
      ]);
    return loraSetupScript({ ...r, sourceUrl: r.sourceUrl });
  }
}
