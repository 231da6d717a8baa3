import {
  ROUTES,
  type LoraAdminView,
  type LoraCatalog,
  type LoraCreate,
  type LoraList,
  type LoraPatch,
  type ModelId,
} from '@mediagen/contract';
import { call, callText } from './client.ts';

// The LoRA library: what the user may pick for a model, and the operator's catalog.

export function listLoras(model: ModelId, signal?: AbortSignal): Promise<LoraList> {
  return call(ROUTES.loras, { query: { model }, signal, retries: 1 });
}

export function getLoraCatalog(): Promise<LoraCatalog> {
  return call(ROUTES.adminLoras, { retries: 1 });
}

export function createLora(body: LoraCreate): Promise<LoraAdminView> {
  return call(ROUTES.adminLoraCreate, { body });
}

export function patchLora(name: string, body: LoraPatch): Promise<LoraAdminView> {
  return call(ROUTES.adminLoraPatch, { params: { name }, body });
}

export function deleteLora(name: string): Promise<void> {
  return call(ROUTES.adminLoraDelete, { params: { name } });
}

export function getLoraSetupScript(name: string): Promise<string> {
  return callText(ROUTES.adminLoraSetupScript, { params: { name } });
}
