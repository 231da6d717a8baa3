import { z } from 'zod';
import { zAccountView } from './admin.ts';
import { zSessionInfo } from './auth.ts';
import { zErrorBody } from './errors.ts';
import { isJsonResponse, type ResponseSpec, type RouteDef } from './route-def.ts';
import { ROUTES } from './routes.ts';
import { zAcceptedResponse, zGalleryItem, zGalleryPage, zGenerationResult, zTaskStatusResponse } from './tasks.ts';

type Json = Record<string, unknown>;

const pascal = (id: string): string => id.charAt(0).toUpperCase() + id.slice(1);

const ERROR_TEXT: Record<number, string> = {
  400: 'invalid_request: the body, a parameter or a header is malformed',
  401: 'unauthorized: no valid session or API key',
  402: 'insufficient_credits',
  403: 'forbidden (admin only, or a cross-origin browser request)',
  404: 'not_found (also for another user’s task)',
  409: 'conflict / invalid_transition',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  416: 'the range is not satisfiable',
  422: 'validation_error (a refused webhook target too), fixed_parameter_violation or prompt_policy_violation',
  429: 'rate_limited (Retry-After)',
  503: 'queue_overloaded or no_backend_available (Retry-After)',
};

function schema(s: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/** Schemas with a name of their own in components (everything else is named after its route). */
const NAMED: ReadonlyArray<[z.ZodType, string]> = [
  [zErrorBody, 'ErrorBody'],
  [zGenerationResult, 'GenerationResult'],
  [zTaskStatusResponse, 'TaskStatus'],
  [zAcceptedResponse, 'Accepted'],
  [zGalleryItem, 'GalleryItem'],
  [zGalleryPage, 'GalleryPage'],
  [zAccountView, 'Account'],
  [zSessionInfo, 'SessionInfo'],
];

/**
 * Every JSON schema of the routes in one registry per direction, converted once, so shared shapes are
 * components referenced by `$ref` instead of copies in every operation.
 */
class SchemaNames {
  readonly output = z.registry<{ id: string }>();
  readonly input = z.registry<{ id: string }>();

  constructor() {
    for (const [s, id] of NAMED) this.output.add(s, { id });
  }

  name(s: z.ZodType, io: 'input' | 'output', fallback: string): string {
    const reg = io === 'input' ? this.input : this.output;
    const known = reg.get(s)?.id;
    if (known) return known;
    reg.add(s, { id: fallback });
    return fallback;
  }

  components(): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [reg, io] of [
      [this.output, 'output'],
      [this.input, 'input'],
    ] as const) {
      const converted = z.toJSONSchema(reg, { io, unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
      for (const [id, js] of Object.entries(converted.schemas)) {
        const { $schema: _s, $id: _i, ...rest } = js as Json;
        out[id] = rest;
      }
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }
}

function response(spec: ResponseSpec, names: SchemaNames, fallback: string): Json {
  if (isJsonResponse(spec)) {
    return {
      description: spec.description ?? 'OK',
      content: { 'application/json': { schema: ref(names.name(spec, 'output', fallback)) } },
    };
  }
  switch (spec.kind) {
    case 'binary':
      return {
        description: spec.description,
        content: Object.fromEntries(
          spec.contentTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
        ),
      };
    case 'events':
      return { description: spec.description, content: { 'text/event-stream': { schema: { type: 'string' } } } };
    case 'text':
      return { description: spec.description, content: { [spec.contentType]: { schema: { type: 'string' } } } };
    case 'empty':
      return { description: spec.description };
  }
}

function parameters(route: RouteDef): Json[] {
  const out: Json[] = [];
  const add = (obj: z.ZodObject | undefined, where: 'path' | 'query'): void => {
    if (!obj) return;
    const js = schema(obj, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
    }
  };
  add(route.params, 'path');
  add(route.query, 'query');
  for (const [name, description] of Object.entries(route.headers ?? {})) {
    out.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
  }
  return out;
}

function operation(id: string, route: RouteDef, names: SchemaNames): Json {
  const security =
    route.access === 'user'
      ? [{ apiKey: [] }, { bearer: [] }, { session: [] }]
      : route.access === 'admin'
        ? [{ adminSession: [] }]
        : [];
  const op: Json = {
    operationId: id,
    summary: route.summary,
    tags: [...route.tags],
    parameters: parameters(route),
    responses: {
      ...Object.fromEntries(
        Object.entries(route.responses).map(([status, spec]) => [
          status,
          response(spec, names, `${pascal(id)}${status}`),
        ]),
      ),
      ...Object.fromEntries(
        route.errors.map((status) => [
          String(status),
          {
            description: ERROR_TEXT[status] ?? 'error',
            content: { 'application/json': { schema: ref('ErrorBody') } },
          },
        ]),
      ),
    },
  };
  if (security.length > 0) op.security = security;
  if (route.body) {
    const inner = route.body instanceof z.ZodOptional ? (route.body.unwrap() as z.ZodType) : route.body;
    const body = ref(names.name(inner, 'input', `${pascal(id)}Request`));
    op.requestBody = {
      required: !route.body.safeParse(undefined).success,
      content: {
        'application/json': { schema: body },
        ...(route.multipart ? { 'multipart/form-data': { schema: body } } : {}),
      },
    };
  }
  return op;
}

/** The OpenAPI 3.1 document of every route in the contract (served at /api/openapi.json, committed as docs/openapi.json). */
export function buildOpenApi(version: string): Json {
  const names = new SchemaNames();
  const paths: Record<string, Record<string, Json>> = {};
  for (const [id, route] of Object.entries(ROUTES) as Array<[string, RouteDef]>) {
    if (route.hidden) continue;
    const path = route.path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(id, route, names);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'MediaGen API',
      version,
      description:
        'Self-hosted image and video generation. Errors carry both shapes of the seed guide (status/error/code/details/user_action and detail{}).',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: names.components(),
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'gg_session' },
        adminSession: { type: 'apiKey', in: 'cookie', name: 'gg_admin' },
      },
    },
    paths,
    webhooks: WEBHOOKS,
  };
}

/** What MediaGen POSTs to a task's webhook_url (Standard Webhooks). */
const WEBHOOKS: Json = {
  taskEvent: {
    post: {
      summary: 'A task changed status (the events named in webhook_events; default the final ones)',
      description:
        'Signed per Standard Webhooks with the secret from POST /api/account/webhook-secret: verify ' +
        '`webhook-signature` (v1,<base64 HMAC-SHA256 of "webhook-id.webhook-timestamp.body">) before trusting ' +
        'the body. Retried with exponential backoff until a 2xx (410 stops); webhook-id is the same on every try.',
      parameters: [
        ['webhook-id', 'the message id: the same on every retry (drop duplicates by it)'],
        ['webhook-timestamp', 'Unix seconds of this try (refuse ones too far from now)'],
        ['webhook-signature', 'space-separated `v1,<base64>` signatures (two during a secret rotation)'],
      ].map(([name, description]) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } })),
      requestBody: { required: true, content: { 'application/json': { schema: ref('TaskStatus') } } },
      responses: {
        '2XX': { description: 'received; not sent again' },
        '410': { description: 'the endpoint is gone: no more tries of this message' },
      },
    },
  },
};
