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

export interface BackendHealth {
  ok: boolean;
  /** operator-actionable words when not ok */
  reason?: string;
  vramTotal?: number;
  vramFree?: number;
  missingNodes: string[];
  missingModels: string[];
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
  /** health check of one backend against the templates of the given models */
  checkHealth(backend: BackendRef, models: readonly ModelId[]): Promise<BackendHealth>;
  /** what a backend last loaded (for affinity), if known */
  loadedModel(backendId: string): ModelId | undefined;
  close(): Promise<void>;
}
