import { statusesOf, type EndpointSpec, type Resource } from '../api/endpoint.js'
import { errors, scopeDetail } from '../api/errors.js'
import { scopeNames } from '../api/permissions.js'

/** One way an upstream answer differs from what the emulator documents for its route. */
export interface DriftFinding {
  id: number
  time: string
  method: string
  path: string
  /** the emulator's route, `/api/v1/machines/{machine_id}`, or null for an undocumented route */
  route: string | null
  status: number
  kind: 'undocumented_route' | 'unknown_status' | 'not_json' | 'schema_mismatch' | 'unknown_error_detail'
  detail: string
}

/** Most bytes of an upstream body the drift check reads (a larger one is not checked). */
export const driftBodyCap = 1024 * 1024

/** Answers per route and status whose bodies are all checked before sampling starts. */
export const driftFullBodies = 100

/** What `GET /__mock/drift` reports besides the findings. */
export interface DriftStats {
  /** answers whose route and status were checked (all of them) */
  answers: number
  /** answers whose JSON body was parsed and checked too */
  bodies_checked: number
  /** after a route and status's first 100 answers, 1 body in this many is checked */
  sample_every: number
}

/** Statuses any route may answer that are not the API's own checks (outages, gateway errors). */
const alwaysPossible = new Set([500, 502, 503, 504])
/** Answers drift detection does not look into: outages, no content, redirects. */
const unchecked = (status: number) => alwaysPossible.has(status) || status === 204 || (status >= 300 && status < 400)
const catalogDetails = new Map<number, Set<string>>()
for (const row of Object.values(errors)) {
  let set = catalogDetails.get(row.status)
  if (!set) catalogDetails.set(row.status, (set = new Set()))
  set.add(row.detail)
}
for (const scope of scopeNames) catalogDetails.get(403)!.add(scopeDetail(scope))

/**
 * The check of one answer, planned when its status arrives: the route it is for, and whether its
 * body is checked (so an unsampled body is not even kept).
 */
export interface DriftPlan {
  method: string
  path: string
  status: number
  route: Route | undefined
  body: boolean
}

interface Route {
  pattern: RegExp
  method: string
  spec: EndpointSpec
  statuses: number[]
  /** Answers seen per status, for the body sampling. */
  seen: Map<number, number>
  /** Per status, the last body checked (up to `rememberedBodyCap` bytes) and what it found. */
  lastBody: Map<number, { bytes: Buffer; found: Finding[] }>
}

/** A finding before it is numbered and stamped. */
type Finding = Pick<DriftFinding, 'kind' | 'detail'>

/** Largest body remembered per route and status for the same-bytes shortcut. */
const rememberedBodyCap = 64 * 1024

/**
 * Drift detection for proxy mode: each upstream answer is checked against the emulator's
 * declaration of that route (statuses, success schema, catalog texts). Route and status are
 * checked on every answer; the body (JSON parse and schema, the costly part) on the first
 * `driftFullBodies` answers of each route and status, then on 1 in `sampleEvery`. Findings are
 * kept in a bounded ring for `GET /__mock/drift`; the answer itself is never altered.
 */
export class DriftDetector {
  /** Routes by `METHOD first-segment` (`GET machines`), literal ones first. */
  private readonly routes = new Map<string, Route[]>()
  private readonly findings: DriftFinding[] = []
  private nextId = 1
  /** The route of recently answered `METHOD path`s (most traffic repeats its paths), bounded. */
  private readonly recent = new Map<string, Route | undefined>()
  private answers = 0
  private bodiesChecked = 0

  constructor(
    resources: Resource[],
    private readonly sampleEvery = 10,
    private readonly capacity = 1000,
  ) {
    const all = resources.flatMap((r) =>
      r.endpoints.map((spec) => ({
        method: spec.method.toUpperCase(),
        spec,
        statuses: statusesOf(spec),
        seen: new Map<number, number>(),
        lastBody: new Map(),
        pattern: new RegExp(`^/api/v1${spec.path.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}/?$`),
      })),
    )
    // literal routes before parameter routes (`/alerts/stats` before `/alerts/{alert_id}`)
    all.sort((a, b) => (a.spec.path.match(/\{/g)?.length ?? 0) - (b.spec.path.match(/\{/g)?.length ?? 0))
    for (const route of all) {
      const key = `${route.method} ${route.spec.path.split('/')[1]}`
      this.routes.set(key, [...(this.routes.get(key) ?? []), route])
    }
  }

  /** Plans the check of an answer whose status has arrived; null when there is nothing to check. */
  plan(method: string, path: string, status: number): DriftPlan | null {
    // HEAD and CORS preflights have no body and no declaration of their own
    if (method === 'HEAD' || method === 'OPTIONS') return null
    const route = this.routeOf(method, path)
    const body = route !== undefined && !unchecked(status) && this.sampled(route, status)
    return { method, path, status, route, body }
  }

  /** Checks one planned answer; records and returns the findings (empty when the answer fits). */
  check(plan: DriftPlan, contentType: string | undefined, body: Buffer | null, nowIso: string): DriftFinding[] {
    const { method, path, status, route } = plan
    this.answers++
    const found = route ? this.compare(route, status, contentType, plan.body ? body : null) : [{ kind: 'undocumented_route' as const, detail: `${method} ${path} is not an endpoint of the emulator` }]
    if (found.length === 0) return found as []
    const out = found.map((f) => ({ id: this.nextId++, time: nowIso, method, path, route: route ? `/api/v1${route.spec.path}` : null, status, ...f }))
    for (const f of out) this.findings.push(f)
    if (this.findings.length > this.capacity) this.findings.splice(0, this.findings.length - this.capacity)
    return out
  }

  /** Findings, oldest first. */
  list(): DriftFinding[] {
    return [...this.findings]
  }

  stats(): DriftStats {
    return { answers: this.answers, bodies_checked: this.bodiesChecked, sample_every: this.sampleEvery }
  }

  /** Forgets findings, counters and sampling state. */
  clear(): void {
    this.findings.length = 0
    for (const routes of this.routes.values()) for (const r of routes) r.seen.clear(), r.lastBody.clear()
    this.answers = this.bodiesChecked = 0
  }

  private routeOf(method: string, path: string): Route | undefined {
    const key = `${method} ${path}`
    if (this.recent.has(key)) return this.recent.get(key)
    const route = this.routes.get(`${method} ${path.split('/', 4)[3]}`)?.find((r) => r.pattern.test(path))
    if (this.recent.size >= 1000) this.recent.clear()
    this.recent.set(key, route)
    return route
  }

  /** Whether this answer's body is checked: the first `driftFullBodies` per route and status, then 1 in `sampleEvery`. */
  private sampled(route: Route, status: number): boolean {
    const n = route.seen.get(status) ?? 0
    route.seen.set(status, n + 1)
    return n < driftFullBodies || (n - driftFullBodies) % this.sampleEvery === 0
  }

  private compare(route: Route, status: number, contentType: string | undefined, body: Buffer | null): Finding[] {
    const { spec, statuses } = route
    if (unchecked(status)) return []
    const out: Finding[] = []
    if (!statuses.includes(status)) out.push({ kind: 'unknown_status', detail: `status ${status} is not one the route documents (${statuses.join(', ')})` })
    const json = spec.produces === 'application/json' || status !== spec.status
    if (!json) return out
    if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType ?? '')) return [...out, { kind: 'not_json', detail: `content-type ${contentType ?? '(none)'} instead of JSON` }]
    if (body === null || body.length > driftBodyCap) return out
    this.bodiesChecked++
    // the same bytes as the last body checked for this route and status (a client polling a list)
    // have the same findings: they are not parsed again
    const last = route.lastBody.get(status)
    let found = last?.bytes.equals(body) ? last.found : undefined
    if (!found) {
      found = this.compareBody(route, status, body)
      if (body.length <= rememberedBodyCap) route.lastBody.set(status, { bytes: Buffer.from(body), found })
    }
    return found.length === 0 ? out : [...out, ...found]
  }

  private compareBody({ spec }: Route, status: number, body: Buffer): Finding[] {
    const out: Finding[] = []
    let value: unknown
    try {
      value = JSON.parse(body.toString('utf8'))
    } catch {
      return [{ kind: 'not_json', detail: 'the body does not parse as JSON' }]
    }
    if (status === spec.status) {
      const parsed = spec.response?.safeParse(value)
      if (parsed && !parsed.success) {
        for (const issue of parsed.error.issues.slice(0, 10)) {
          out.push({ kind: 'schema_mismatch', detail: `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}` })
        }
      }
    } else if (value === null || typeof value !== 'object') {
      out.push({ kind: 'schema_mismatch', detail: `${status} body is not a JSON object` })
    } else if (status === 422) {
      const items = (value as { detail?: unknown }).detail
      const shaped = Array.isArray(items) && items.every((i) => i && typeof i === 'object' && 'loc' in i && 'msg' in i && 'type' in i)
      if (!shaped) out.push({ kind: 'schema_mismatch', detail: '422 body is not a list of {loc, msg, type} items' })
    } else if (status >= 400) {
      const detail = (value as { detail?: unknown }).detail
      if (typeof detail !== 'string') out.push({ kind: 'schema_mismatch', detail: `${status} body has no string "detail"` })
      else if (!catalogDetails.get(status)?.has(detail)) out.push({ kind: 'unknown_error_detail', detail: `${status} "${detail}" is not in the catalog` })
    }
    return out
  }
}
