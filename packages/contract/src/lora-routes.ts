import {
  zLoraCatalog,
  zLoraAdminView,
  zLoraCreate,
  zLoraList,
  zLoraNameParams,
  zLoraPatch,
  zLorasQuery,
} from './loras.ts';
import { defineRoute } from './route-def.ts';

const USER_ERRORS = [401, 403, 429] as const;
const ADMIN_ERRORS = [401, 403] as const;
const preview = {
  200: { kind: 'binary', contentTypes: ['image/png'], description: 'a 256 px square PNG' },
} as const;

/** The LoRA library (SPEC §11): what users may pick, and the operator's catalog. */
export const LORA_ROUTES = {
  loras: defineRoute({
    method: 'GET',
    path: '/api/loras',
    summary: 'LoRAs the caller may use (of the model’s family, with ?model=) and which backends hold them',
    tags: ['loras'],
    access: 'user',
    query: zLorasQuery,
    responses: { 200: zLoraList },
    errors: [400, ...USER_ERRORS],
  }),
  loraPreview: defineRoute({
    method: 'GET',
    path: '/api/loras/:name/preview',
    summary: 'The preview image of a LoRA the caller may use',
    tags: ['loras'],
    access: 'user',
    params: zLoraNameParams,
    responses: preview,
    errors: [400, ...USER_ERRORS, 404],
  }),
  adminLoras: defineRoute({
    method: 'GET',
    path: '/api/admin/loras',
    summary: 'The LoRA catalog with per-backend availability, and LoRA files on backends that it does not list',
    tags: ['admin', 'loras'],
    access: 'admin',
    responses: { 200: zLoraCatalog },
    errors: [...ADMIN_ERRORS],
  }),
  adminLoraCreate: defineRoute({
    method: 'POST',
    path: '/api/admin/loras',
    summary: 'Add a LoRA to the catalog (family, trigger words, preview, who may use it)',
    tags: ['admin', 'loras'],
    access: 'admin',
    body: zLoraCreate,
    responses: { 201: zLoraAdminView },
    errors: [400, ...ADMIN_ERRORS, 409, 422],
  }),
  adminLoraPatch: defineRoute({
    method: 'PATCH',
    path: '/api/admin/loras/:name',
    summary: 'Edit a catalog entry (preview_image null removes the preview)',
    tags: ['admin', 'loras'],
    access: 'admin',
    params: zLoraNameParams,
    body: zLoraPatch,
    responses: { 200: zLoraAdminView },
    errors: [400, ...ADMIN_ERRORS, 404, 422],
  }),
  adminLoraDelete: defineRoute({
    method: 'DELETE',
    path: '/api/admin/loras/:name',
    summary: 'Remove a catalog entry (the files stay on the backends)',
    tags: ['admin', 'loras'],
    access: 'admin',
    params: zLoraNameParams,
    responses: { 204: { kind: 'empty', description: 'removed' } },
    errors: [400, ...ADMIN_ERRORS, 404],
  }),
  adminLoraPreview: defineRoute({
    method: 'GET',
    path: '/api/admin/loras/:name/preview',
    summary: 'The preview image of a catalog entry',
    tags: ['admin', 'loras'],
    access: 'admin',
    params: zLoraNameParams,
    responses: preview,
    errors: [400, ...ADMIN_ERRORS, 404],
  }),
  adminLoraSetupScript: defineRoute({
    method: 'GET',
    path: '/api/admin/loras/:name/setup-script',
    summary: "A bash script that places the LoRA's files in models/loras on a ComfyUI host and checks the SHA-256",
    tags: ['admin', 'loras'],
    access: 'admin',
    params: zLoraNameParams,
    responses: {
      200: { kind: 'text', contentType: 'text/x-shellscript', description: 'run it from the ComfyUI folder' },
    },
    errors: [400, ...ADMIN_ERRORS, 404, 422],
  }),
} as const;
