import { z } from 'zod'
import { errorDetailsOf, takesInput, type EndpointSpec, type Resource } from './endpoint.js'
import { permissions } from './permissions.js'
import { dashboardSocketPath } from './dashboard-socket.js'

type Json = Record<string, unknown>

/** JSON Schema of a zod schema as a client sends it (defaults applied, transforms not). */
const schemaOf = (s: z.ZodType): Json => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Json
  return rest
}

const reasons: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 207: 'Multi-Status', 400: 'Bad Request', 401: 'Unauthorized',
  402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Content Too Large', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
}

/**
 * The OpenAPI 3.1 document of the emulated API, built from the same endpoint declarations (access
 * rule, zod schemas, statuses, catalog rows) that build the routes.
 */
export function openApiDocument(resources: Resource[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {}
  for (const e of resources.flatMap((r) => r.endpoints)) (paths[e.path] ??= {})[e.method] = operation(e)
  paths[dashboardSocketPath.replace('/api/v1', '')] = {
    get: {
      tags: ['WebSocket'], summary: 'Dashboard WebSocket (upgrade)', operationId: 'get_ws_dashboard',
      description: 'Upgrade to a WebSocket. The first text frame is the raw JWT access token. Close codes: 4001 invalid or expired token, 4002 no token within the auth timeout, 4003 too many unauthenticated connections from one IP. Messages: heartbeat, sensor_update, alert, machine_status.',
      responses: { '101': { description: 'Switching Protocols' } },
    },
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Haltless API (haltless-mock emulator)', version,
      description: 'The Haltless REST API as emulated by haltless-mock. Where the reference is silent, behaviour is the emulator\'s choice (README, "Emulator choices").',
    },
    servers: [{ url: '/api/v1' }],
    tags: [...new Set(resources.map((r) => r.tag)), 'WebSocket'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        refreshCookie: { type: 'apiKey', in: 'cookie', name: 'refresh_token' },
      },
      schemas: {
        Error: { type: 'object', properties: { detail: { type: 'string' } }, required: ['detail'] },
        ValidationError: {
          type: 'object', required: ['detail'],
          properties: {
            detail: {
              type: 'array',
              items: {
                type: 'object', required: ['loc', 'msg', 'type'],
                properties: { loc: { type: 'array', items: { type: ['string', 'integer'] } }, msg: { type: 'string' }, type: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  }
}

function operation(e: EndpointSpec): Json {
  const parameters: Json[] = e.params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }))
  if (e.query) {
    const q = schemaOf(e.query) as { properties?: Record<string, Json>; required?: string[] }
    for (const [name, schema] of Object.entries(q.properties ?? {})) parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema })
  }
  const op: Json = {
    tags: [e.tag],
    summary: e.summary,
    operationId: `${e.method}_${e.path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+/g, '_').replace(/^_|_$/g, '')}`,
    security: security(e),
    responses: responses(e),
  }
  if (e.access !== 'public' && e.access.credential !== 'key') op['x-roles'] = [...permissions[e.access.permission ?? 'read']]
  if (e.access !== 'public' && e.access.scope) op['x-api-key-scope'] = e.access.scope
  if (parameters.length > 0) op.parameters = parameters
  if (e.body) op.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(e.body) } } }
  return op
}

function security(e: EndpointSpec): Json[] {
  if (e.access === 'public') return e.path === '/auth/refresh' ? [{ refreshCookie: [] }] : []
  return { jwt: [{ bearerAuth: [] }], jwt_or_key: [{ bearerAuth: [] }, { apiKey: [] }], key: [{ apiKey: [] }] }[e.access.credential]
}

function responses(e: EndpointSpec): Record<string, Json> {
  const out: Record<string, Json> = {}
  const success: Json = { description: reasons[e.status] ?? 'Success' }
  if (e.status !== 204) success.content = { [e.produces]: { schema: e.produces === 'application/json' ? (e.response ? schemaOf(e.response) : {}) : { type: 'string', format: 'binary' } } }
  out[String(e.status)] = success
  for (const [status, details] of errorDetailsOf(e)) {
    out[String(status)] = {
      description: reasons[status] ?? 'Error',
      ...(status === 429 ? { headers: { 'Retry-After': { schema: { type: 'integer' } }, 'X-RateLimit-Reset': { schema: { type: 'integer' } } } } : {}),
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          examples: Object.fromEntries(details.map((detail, i) => [`e${i + 1}`, { value: { detail } }])),
        },
      },
    }
  }
  if (takesInput(e)) {
    out['422'] = { description: reasons[422], content: { 'application/json': { schema: { $ref: '#/components/schemas/ValidationError' } } } }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => Number(a) - Number(b)))
}
