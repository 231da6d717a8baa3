// Pure: ComfyUI's refusals and transport failures as EngineErrors an operator can read, marked
// retriable when another backend may succeed.
import { EngineError } from '#ports/engine.ts';
import { ComfyHttpError, ComfyUnreachableError } from './comfyui-client.ts';
import { modelFileInput } from './template-requirements.ts';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A 400 from /prompt, in words; retriable when another backend may have the node class or model file. */
export function refusedWorkflowError(body: unknown, backendName: string, template: string): EngineError {
  const r = (body ?? {}) as {
    error?: { type?: unknown; message?: unknown; details?: unknown };
    node_errors?: Record<
      string,
      {
        class_type?: unknown;
        errors?: Array<{ type?: unknown; message?: unknown; details?: unknown; extra_info?: { input_name?: unknown } }>;
      }
    >;
  };
  let backendSpecific = r.error?.type === 'invalid_prompt';
  const lines: string[] = [];
  for (const [node, ne] of Object.entries(r.node_errors ?? {})) {
    for (const e of ne.errors ?? []) {
      lines.push(
        `node ${node} (${String(ne.class_type ?? '?')}): ${String(e.message ?? '')} ${String(e.details ?? '')}`.trim(),
      );
      if (e.type === 'value_not_in_list' && modelFileInput(String(ne.class_type), String(e.extra_info?.input_name)))
        backendSpecific = true;
    }
  }
  const head = `${String(r.error?.message ?? 'invalid prompt')}${r.error?.details ? `: ${String(r.error.details)}` : ''}`;
  return new EngineError(
    'invalid_workflow',
    `Backend ${backendName} refused workflow ${template}: ${[head, ...lines.slice(0, 5)].join('; ')}`.slice(0, 800),
    backendSpecific,
  );
}

export function backendRequestError(err: unknown, backendName: string, doing: string): EngineError {
  if (err instanceof EngineError) return err;
  if (err instanceof ComfyHttpError) {
    if (err.status === 413)
      return new EngineError(
        'backend_error',
        `Backend ${backendName} refused ${doing} as too large (413): raise its --max-upload-size`,
        false,
      );
    return new EngineError(
      'backend_error',
      `Backend ${backendName} answered ${err.status} when ${doing}`,
      err.status >= 500 || err.status === 429,
    );
  }
  if (err instanceof ComfyUnreachableError)
    return new EngineError('backend_lost', `Backend ${backendName} cannot be reached (${doing}): ${err.message}`, true);
  return new EngineError('backend_error', `Backend ${backendName}: ${doing} failed: ${message(err)}`, true);
}
