import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from './context.js'
import { authorize, publicAccess, type AccessRule } from './access.js'
import { errors, scopeDetail, type ErrorKey } from './errors.js'
import { bodyParser, inputParser, uuidParam } from './validate.js'
import type { Store } from '../store/store.js'

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'
type Schema = z.ZodType | undefined
type Out<S> = S extends z.ZodType ? z.output<S> : undefined

/** `:machine_id` names of a route path, as a union of strings. */
type ParamNames<P extends string> = P extends `${string}:${infer N}/${infer R}` ? N | ParamNames<`/${R}`> : P extends `${string}:${infer N}` ? N : never

/** What a handler receives: the validated path, query and body. */
export interface Input<P extends string, Q extends Schema, B extends Schema> {
  params: Record<ParamNames<P>, string>
  query: Out<Q>
  body: Out<B>
}

/** One endpoint: what it needs, what it reads and answers; the router and the OpenAPI document read it. */
export interface EndpointDef<P extends string, Q extends Schema, B extends Schema> {
  summary: string
  /** The credential and role rule (`public` for the unauthenticated auth calls). */
  access: AccessRule | 'public'
  query?: Q
  body?: B
  /** Success status (documented or the reference's emulator choice). */
  status: number
  /** Catalog rows the endpoint answers with besides the access ones (404, 409, 400 rules). */
  errors?: ErrorKey[]
  /** Success body schema, for the OpenAPI document. */
  response?: z.ZodType
  /** Content type of the success body; default JSON. */
  produces?: string
  handle(c: Context<AppEnv>, input: Input<P, Q, B>): Response | Promise<Response>
}

/** An endpoint as the OpenAPI document and the endpoint inventory see it. */
export interface EndpointSpec {
  method: Method
  /** Full path under /api/v1 in OpenAPI form: `/machines/{machine_id}`. */
  path: string
  tag: string
  summary: string
  access: AccessRule | 'public'
  params: string[]
  query?: z.ZodType
  body?: z.ZodType
  status: number
  errors: ErrorKey[]
  response?: z.ZodType
  produces: string
}

/**
 * One API resource: its routes under `prefix`, each declared once with its access rule and zod
 * schemas. The same declarations build the Hono routes (access → validation → handler) and the
 * OpenAPI document. Path parameters are UUIDs (the reference's ids all are).
 */
export class Resource {
  readonly app = new Hono<AppEnv>()
  readonly endpoints: EndpointSpec[] = []
  /** Demo records for this resource, added after the core demo data on start and reset. */
  seed?: (store: Store) => void

  constructor(
    readonly prefix: string,
    readonly tag: string,
  ) {}

  get<P extends string, Q extends Schema = undefined, B extends Schema = undefined>(path: P, def: EndpointDef<P, Q, B>): this {
    return this.add('get', path, def)
  }
  post<P extends string, Q extends Schema = undefined, B extends Schema = undefined>(path: P, def: EndpointDef<P, Q, B>): this {
    return this.add('post', path, def)
  }
  put<P extends string, Q extends Schema = undefined, B extends Schema = undefined>(path: P, def: EndpointDef<P, Q, B>): this {
    return this.add('put', path, def)
  }
  patch<P extends string, Q extends Schema = undefined, B extends Schema = undefined>(path: P, def: EndpointDef<P, Q, B>): this {
    return this.add('patch', path, def)
  }
  delete<P extends string, Q extends Schema = undefined, B extends Schema = undefined>(path: P, def: EndpointDef<P, Q, B>): this {
    return this.add('delete', path, def)
  }

  /** Registers demo records for this resource. */
  demo(seed: (store: Store) => void): this {
    this.seed = seed
    return this
  }

  private add<P extends string, Q extends Schema, B extends Schema>(method: Method, path: P, def: EndpointDef<P, Q, B>): this {
    const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!)
    // access → validation (path, query, body) → handler, as one function: Hono finds one handler
    // for the route, and it stays synchronous unless a step has to wait (a new JWT, a body)
    const admit = def.access === 'public' ? publicAccess : authorize(def.access)
    const parseParams = params.length > 0 ? inputParser('param', z.object(Object.fromEntries(params.map((p) => [p, uuidParam])))) : undefined
    const parseQuery = def.query ? inputParser('query', def.query) : undefined
    const parseBody = def.body ? bodyParser(def.body) : undefined
    const handle = def.handle
    const run = (c: Context<AppEnv>) => {
      const input = {
        params: (parseParams ? parseParams(c) : {}) as Input<P, Q, B>['params'],
        query: (parseQuery ? parseQuery(c) : undefined) as Out<Q>,
        body: undefined as Out<B>,
      }
      return parseBody ? parseBody(c).then((body) => handle(c, { ...input, body: body as Out<B> })) : handle(c, input)
    }
    const endpoint = (c: Context<AppEnv>) => {
      const admitted = admit(c)
      return admitted instanceof Promise ? admitted.then(() => run(c)) : run(c)
    }
    const on = this.app.on.bind(this.app) as (method: string, path: string, ...handlers: unknown[]) => unknown
    on(method.toUpperCase(), path, endpoint)
    const full = `${this.prefix}${path === '/' ? '' : path}`.replace(/:(\w+)/g, '{$1}') || '/'
    this.endpoints.push({
      method, path: full, tag: this.tag, summary: def.summary, access: def.access, params,
      query: def.query, body: def.body, status: def.status, errors: def.errors ?? [], response: def.response,
      produces: def.produces ?? 'application/json',
    })
    return this
  }
}

/**
 * The error answers an endpoint documents, by status, each with its catalog `detail` texts: 401
 * (by credential), 402 (subscription), 403 (role or scope), 429, and its own catalog rows. The 422
 * (any input) has no single text: see `takesInput`.
 */
export function errorDetailsOf(e: EndpointSpec): Map<number, string[]> {
  const details = new Map<number, string[]>()
  const add = (status: number, detail: string) => {
    const list = details.get(status) ?? []
    if (!list.includes(detail)) details.set(status, [...list, detail])
  }
  const a = e.access
  if (a !== 'public') {
    add(401, errors.not_authenticated.detail)
    if (a.credential !== 'key') add(401, errors.token_expired.detail), add(401, errors.token_invalid.detail)
    if (a.credential !== 'jwt') add(401, errors.api_key_invalid.detail)
    if (a.subscription !== false) add(402, errors.payment_required.detail)
    if (a.credential !== 'key' && (a.permission ?? 'read') !== 'read') add(403, errors.forbidden.detail)
    if (a.scope) add(403, scopeDetail(a.scope))
  }
  add(429, errors.rate_limited.detail)
  for (const key of e.errors) add(errors[key].status, errors[key].detail)
  return new Map([...details].sort(([x], [y]) => x - y))
}

/** Whether the endpoint reads a path parameter, query or body (and so can answer 422). */
export const takesInput = (e: EndpointSpec): boolean => e.params.length > 0 || e.query !== undefined || e.body !== undefined

/** Every status an endpoint answers besides faults: its success, its errors, 422 when it takes input. */
export function statusesOf(e: EndpointSpec): number[] {
  const statuses = new Set([e.status, ...errorDetailsOf(e).keys()])
  if (takesInput(e)) statuses.add(422)
  return [...statuses].sort((x, y) => x - y)
}
