import type { ModelId, Mode, ResolvedGeneration, TaskErrorCode, TaskStage, UnsupportedParam } from '@mediagen/contract';

/** One inference backend (a ComfyUI instance, an "account"). */
export interface BackendRef {
  id: string;
  name: string;
  baseUrl: string;
  authToken?: string;
}

/** Reference images, already decoded, checked and re-encoded to PNG at the requested size. */
export interface EngineInputs {
  reference?: Buffer;
  first?: Buffer;
  last?: Buffer;
}

export interface EngineRunInput {
  taskId: string;
  backend: BackendRef;
  params: ResolvedGeneration;
  inputs: EngineInputs;
  /** set when re-attaching after a gateway restart: the prompt already on the backend */
  existingPromptId?: string;
}

export interface EngineListener {
  /** the prompt id, given before it is submitted; the engine waits until it is persisted so a restart can reconcile */
  onSubmitted(promptId: string): void | Promise<void>;
  /** percent 0–100, only rising */
  onProgress(progress: { percent: number; stage: TaskStage }): void;
  /** a live preview frame (JPEG or PNG bytes) */
  onPreview(image: Buffer, mime: 'image/jpeg' | 'image/png'): void;
}

export interface EngineOutputFile {
  data: Buffer;
  filename: string;
  kind: 'image' | 'video';
}

export interface EngineResult {
  promptId: string;
  files: EngineOutputFile[];
  /** backend-side execution time when the backend reports it (ms) */
  executionMs?: number;
  /** time spent downloading the outputs from the backend (ms) */
  transferMs?: number;
}

/** Thrown by engines; `retriable` means another backend may succeed. */
export class EngineError extends Error {
  constructor(
    readonly code: TaskErrorCode | 'cancelled',
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export interface TemplateRequirements {
  nodeClasses: string[];
  /** loader node class → input name → file names it must offer */
  modelFiles: Array<{ nodeClass: string; input: string; file: string }>;
}

/** A custom-node pack a model's templates need (from the workflows manifest). */
export interface PackRequirement {
  name: string;
  /** git repository and pinned commit; absent for a pack bundled with MediaGen */
  repository?: string;
  commit?: string;
  bundled?: boolean;
  /** its node classes the templates use */
  nodes: string[];
}

/** A model file a model's templates load (ComfyUI models/<folder>/<file>), with where to get it. */
export interface ModelFileRequirement {
  folder: string;
  file: string;
  /** as published, e.g. "12.7 GB"; absent when the manifest does not list the file */
  size?: string;
  bytes?: number;
  sha256?: string;
  url?: string;
  source?: string;
}

/** Whether one backend can run every mode of one model, and exactly what it lacks otherwise. */
export interface ModelReadiness {
  model: ModelId;
  ready: boolean;
  /** packs with at least one node class the backend lacks */
  missingPacks: PackRequirement[];
  /** node classes the backend lacks (core ones too: e.g. video nodes without PyAV) */
  missingNodes: string[];
  /** model files the backend does not list, also those of loaders that are missing themselves */
  missingFiles: ModelFileRequirement[];
  /** templates whose nodes exist but whose inputs this backend's node versions reject */
  incompatible: string[];
  /** modes of the model the gateway has no workflow template for */
  missingTemplates: Mode[];
  /** operator-actionable words when not ready */
  reason?: string;
}

export interface BackendHealth {
  /** the backend answers and is ready for at least one of the models it is meant to serve */
  ok: boolean;
  /** operator-actionable words: why not ok, or which models are not ready */
  reason?: string;
  vramTotal?: number;
  vramFree?: number;
  /** one entry per model the account is meant to serve, in the order asked */
  models: ModelReadiness[];
  /** things that work but degrade the service, e.g. live previews switched off */
  warnings: string[];
  /** union over models (kept for existing callers) */
  missingNodes: string[];
  /** union over models, "folder/file" */
  missingModels: string[];
  /** the files under models/loras the backend lists (LoraLoader's options), sorted; absent when it did not answer */
  loras?: string[];
}

/** What the setup script installs: everything the models need, or only what a health check found missing. */
export interface SetupScriptRequest {
  models: readonly ModelId[];
  /** a health check's `models` (e.g. as stored on the account): only what it reported missing, for the models asked */
  readiness?: readonly ModelReadiness[];
}

export interface Engine {
  /** run to completion; abort the signal to cancel (queued → queue delete, running → interrupt) */
  run(input: EngineRunInput, listener: EngineListener, signal: AbortSignal): Promise<EngineResult>;
  /** parameters the template for these params cannot honour, with reasons (for metadata.ignored_params) */
  ignoredParams(params: ResolvedGeneration): Array<{ param: string; reason: string }>;
  /**
   * Parameters each model × mode template declares it cannot honour (with the condition under which they apply),
   * so the UI can show them disabled with the reason before anything is sent. Optional: an engine without
   * templates declares none.
   */
  unsupportedParams?(): UnsupportedParam[];
  /** node classes and model files the templates of these models need */
  requirements(models: readonly ModelId[], modes?: readonly Mode[]): TemplateRequirements;
  /** health check of one backend against the templates of the given models, model by model */
  checkHealth(backend: BackendRef, models: readonly ModelId[]): Promise<BackendHealth>;
  /**
   * A bash script for the ComfyUI host (run from its ComfyUI folder) that installs what the models need:
   * packs cloned at their pinned commits into custom_nodes/, model files downloaded into models/<folder>/
   * with their checksums checked. Idempotent; refuses to run outside a ComfyUI folder.
   */
  setupScript(request: SetupScriptRequest): string;
  /**
   * Called with the backend id whenever a backend's WebSocket comes back after a loss (the backend may
   * have restarted with other nodes or files: re-check it). Returns the unsubscribe function.
   */
  onBackendReconnected(listener: (backendId: string) => void): () => void;
  /** what a backend last loaded (for affinity), if known */
  loadedModel(backendId: string): ModelId | undefined;
  /** the LoRA files a backend's last job applied (for affinity), if known */
  loadedLoras?(backendId: string): readonly string[] | undefined;
  close(): Promise<void>;
}
