import { buildPath } from './route-def.ts';
import { ROUTES } from './routes.ts';

/** URLs of the routes in ROUTES, for links in answers (status_url, result urls) and the UI. */
export const API = {
  generate: ROUTES.generate.path,
  status: (id: string) => buildPath(ROUTES.status.path, { id }),
  events: (id: string) => buildPath(ROUTES.events.path, { id }),
  results: (id: string, index?: number) => `${buildPath(ROUTES.results.path, { id })}${index ? `?index=${index}` : ''}`,
  preview: (id: string) => buildPath(ROUTES.preview.path, { id }),
  asset: (id: string) => buildPath(ROUTES.asset.path, { id }),
  docs: '/api/docs',
  openapi: '/api/openapi.json',
} as const;

export const MAX_PREFER_WAIT_SECONDS = 300;
