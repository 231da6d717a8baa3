import { z } from 'zod';
import { zUserListItem } from './admin.ts';
import { zEraseRequest, zErasureResult, zQuarantineList, zStorageReport, zUserContentPatch } from './content.ts';
import { defineRoute } from './route-def.ts';

const zId = z.object({ id: z.string().min(1).max(100) });
const USER_ERRORS = [401, 403, 429] as const;

/** Content and data: a user's export and erasure; the admin's review queue, storage report and user settings. */
export const CONTENT_ROUTES = {
  accountExport: defineRoute({
    method: 'GET',
    path: '/api/account/export',
    summary: "The caller's gallery as a zip: every output, plus gallery.json with the parameters, presets and prompts",
    tags: ['account'],
    access: 'user',
    responses: { 200: { kind: 'binary', contentTypes: ['application/zip'], description: 'a zip archive (streamed)' } },
    errors: [...USER_ERRORS],
  }),
  accountErase: defineRoute({
    method: 'POST',
    path: '/api/account/erase',
    summary:
      'Delete my data: every task, output, reference, thumbnail, gallery row, prompt, preset, webhook setting and session of the caller (the credit ledger stays); the access key keeps working',
    tags: ['account'],
    access: 'user',
    body: zEraseRequest,
    responses: { 200: zErasureResult },
    errors: [400, ...USER_ERRORS],
  }),
  adminUserPatch: defineRoute({
    method: 'PATCH',
    path: '/api/admin/users/:id',
    summary: "A user's content settings: safe for work (explicit output withheld), retention override",
    tags: ['admin'],
    access: 'admin',
    params: zId,
    body: zUserContentPatch,
    responses: { 200: zUserListItem },
    errors: [400, 401, 403, 404],
  }),
  adminStorage: defineRoute({
    method: 'GET',
    path: '/api/admin/storage',
    summary: 'Stored media: bytes per user and per model, the oldest item, the retention in force',
    tags: ['admin'],
    access: 'admin',
    responses: { 200: zStorageReport },
    errors: [401, 403],
  }),
  adminQuarantineList: defineRoute({
    method: 'GET',
    path: '/api/admin/quarantine',
    summary: 'Withheld outputs awaiting review, newest first (rule and scores only, never the prompt)',
    tags: ['admin'],
    access: 'admin',
    responses: { 200: zQuarantineList },
    errors: [401, 403],
  }),
  adminQuarantineThumbnail: defineRoute({
    method: 'GET',
    path: '/api/admin/quarantine/:id/thumbnail',
    summary: 'A tiny, blurred thumbnail of a withheld output',
    tags: ['admin'],
    access: 'admin',
    params: zId,
    responses: { 200: { kind: 'binary', contentTypes: ['image/jpeg'], description: 'JPEG, 24 px' } },
    errors: [400, 401, 403, 404],
  }),
  adminQuarantineDelete: defineRoute({
    method: 'DELETE',
    path: '/api/admin/quarantine/:id',
    summary: 'Delete a withheld output for good',
    tags: ['admin'],
    access: 'admin',
    params: zId,
    responses: { 204: { kind: 'empty', description: 'deleted' } },
    errors: [400, 401, 403, 404],
  }),
  adminQuarantineRelease: defineRoute({
    method: 'POST',
    path: '/api/admin/quarantine/:id/release',
    summary: "Release an output withheld for a safe-for-work setting into its user's gallery (409 for a minor rule)",
    tags: ['admin'],
    access: 'admin',
    params: zId,
    responses: { 204: { kind: 'empty', description: 'released' } },
    errors: [400, 401, 403, 404, 409],
  }),
} as const;
