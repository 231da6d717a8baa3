import fs from 'node:fs';
import { buildOpenApi } from '@mediagen/contract';
import { describe, expect, it } from 'vitest';
import { VERSION } from './version.ts';

describe('docs/openapi.json', () => {
  it('is the document the route table generates (run `npm run openapi` after changing the contract)', () => {
    const committed: unknown = JSON.parse(
      fs.readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(buildOpenApi(VERSION));
  });

  it('declares every route with its responses and the error body', () => {
    const doc = buildOpenApi(VERSION) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const status = doc.paths['/api/status/{id}']?.get;
    expect(Object.keys(status?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '404']));
    expect(JSON.stringify(status?.responses['200'])).toContain('#/components/schemas/TaskStatus');
    expect(doc.paths['/api/admin/queue']?.get?.responses['200']).toBeDefined();
  });
});
