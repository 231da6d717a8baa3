import type { ModelId } from '@mediagen/contract';
import type { AssetRecord } from './store.ts';

/** An admin's per-user content settings (defaults when never set: not safe-for-work, the instance's retention). */
export interface UserContentSettings {
  userId: string;
  sfw: boolean;
  /** days this user's media is kept; null = RETENTION_DAYS */
  retentionDays: number | null;
}

/** One withheld file, kept under `quarantine/<task id>/`: never served to its owner, never in the gallery. */
export interface QuarantinedFile {
  path: string;
  mime: string;
  /** the output's index in its batch */
  idx: number;
  width: number | null;
  height: number | null;
  bytes: number;
}

/** A job's withheld output awaiting review: the rule and scores only, never the prompt. */
export interface QuarantineRecord {
  id: string;
  taskId: string;
  ownerId: string;
  model: ModelId;
  type: 'image' | 'video';
  /** output-policy rule id */
  rule: string;
  /** the peak explicit scores over the withheld files (the audit log has the same) */
  scores: { porn: number; hentai: number; sexy: number };
  files: QuarantinedFile[];
  /** a tiny thumbnail for the review queue (its path), when one could be made */
  thumbnail: string | null;
  createdAt: number;
}

export interface StorageTotals {
  bytes: number;
  files: number;
  /** creation time of the oldest stored file */
  oldestAt: number | null;
}

/** Stored rows an erasure removed. */
export interface ErasedRows {
  tasks: number;
  assets: number;
}

/**
 * Content and data (SPEC §11): per-user content settings, the quarantine of withheld outputs, storage totals, what
 * retention and erasure need. Part of the Store: every write is committed before its promise resolves.
 */
export interface ContentStore {
  userSettings(userId: string): Promise<UserContentSettings>;
  /** the users whose settings differ from the defaults */
  listUserSettings(): Promise<UserContentSettings[]>;
  setUserSettings(
    userId: string,
    patch: { sfw?: boolean; retentionDays?: number | null },
    at: number,
  ): Promise<UserContentSettings>;

  insertQuarantine(r: QuarantineRecord): Promise<void>;
  getQuarantine(id: string): Promise<QuarantineRecord | undefined>;
  /** newest first */
  listQuarantine(limit: number): Promise<QuarantineRecord[]>;
  /** false when it was already gone (someone else released or deleted it) */
  deleteQuarantine(id: string): Promise<boolean>;

  /** every stored file (uploads, outputs, thumbnails) per owner; quarantined files are not assets */
  storageByOwner(): Promise<Array<StorageTotals & { ownerId: string }>>;
  /** outputs and thumbnails per model of their task */
  storageByModel(): Promise<Array<{ model: string; bytes: number; files: number }>>;
  /** owners that have tasks or stored files */
  owners(): Promise<string[]>;
  assetsOfOwner(ownerId: string): Promise<AssetRecord[]>;
  deleteAssets(ids: readonly string[]): Promise<void>;
  /** finished (completed, failed, cancelled) tasks of an owner created before a time, oldest first */
  endedTasksBefore(ownerId: string, before: number, limit: number): Promise<string[]>;
  /** reference uploads (and other task-less images) of an owner created before a time, oldest first */
  uploadsBefore(ownerId: string, before: number, limit: number): Promise<AssetRecord[]>;
  /**
   * Erasure: every row of an owner but the credit ledger, the audit log, the user row and the admin's content
   * settings for the user — tasks, idempotency keys, assets, quarantine, prompt history, presets, sessions and
   * webhook data — in one transaction.
   */
  eraseOwner(ownerId: string): Promise<ErasedRows>;
}
