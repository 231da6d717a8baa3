// The health check over HTTP (SPEC §6): /system_stats (answers? VRAM, launch arguments), then
// /object_info against the templates of each model the account is meant to serve.
import type { ModelId } from '@mediagen/contract';
import type { BackendHealth, BackendRef, ModelReadiness } from '#ports/engine.ts';
import { assessModels, launchWarnings, loraFilesOf } from './backend-health.ts';
import { ComfyHttpError, type ComfyUiClient } from './comfyui-client.ts';
import { parseNodeCatalog, type NodeCatalog } from './graph-validation.ts';
import type { TemplateSet } from './workflow-templates.ts';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const unique = (xs: string[]): string[] => [...new Set(xs)].sort();

/** ok = answers and ready for at least one model; the reason names the models that are not ready. */
export function summarizeHealth(
  models: ModelReadiness[],
): Pick<BackendHealth, 'ok' | 'reason' | 'missingNodes' | 'missingModels'> {
  const notReady = models.filter((m) => !m.ready);
  const ready = models.filter((m) => m.ready);
  const ok = models.length === 0 || ready.length > 0;
  const gaps = notReady.map((m) => `${m.model}: ${m.reason ?? 'not ready'}`).join(' | ');
  const reason =
    notReady.length === 0
      ? undefined
      : ok
        ? `serves ${ready.map((m) => m.model).join(', ')}; not ready — ${gaps}`
        : `ready for none of its models — ${gaps}`;
  return {
    ok,
    ...(reason ? { reason } : {}),
    missingNodes: unique(models.flatMap((m) => m.missingNodes)),
    missingModels: unique(models.flatMap((m) => m.missingFiles.map((f) => `${f.folder}/${f.file}`))),
  };
}

export async function checkBackendHealth(
  client: ComfyUiClient,
  backend: BackendRef,
  templates: TemplateSet,
  models: readonly ModelId[],
): Promise<BackendHealth> {
  const down = { models: [], warnings: [], missingNodes: [], missingModels: [] };
  let stats: Awaited<ReturnType<ComfyUiClient['systemStats']>>;
  try {
    stats = await client.systemStats();
  } catch (err) {
    const auth = err instanceof ComfyHttpError && (err.status === 401 || err.status === 403);
    return {
      ok: false,
      ...down,
      reason: auth
        ? `${backend.baseUrl} refused the request (${err.status}): check the account's auth token`
        : `${backend.baseUrl} does not answer /system_stats (${message(err)}): check that ComfyUI runs there and the URL is right`,
    };
  }
  const vram = {
    ...(stats.vramTotal !== undefined ? { vramTotal: stats.vramTotal } : {}),
    ...(stats.vramFree !== undefined ? { vramFree: stats.vramFree } : {}),
  };
  let catalog: NodeCatalog;
  try {
    catalog = parseNodeCatalog(await client.objectInfo()).catalog;
  } catch (err) {
    return {
      ok: false,
      ...down,
      ...vram,
      reason: `${backend.baseUrl} answered /system_stats but /object_info failed (${message(err)})`,
    };
  }
  const readiness = assessModels(templates, models, catalog);
  return {
    ...summarizeHealth(readiness),
    ...vram,
    models: readiness,
    warnings: launchWarnings(stats.argv),
    loras: loraFilesOf(catalog),
  };
}
