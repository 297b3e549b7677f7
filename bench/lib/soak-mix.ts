// What the soak sends and which faults it meets: the scenario active in every session of the soak's
// server child (bench/soak-server.ts), and the request sequence every autocannon connection loops
// through (bench/soak.ts).
import type { RequestSpec } from 'autocannon'
import { demoApiKey, demoId } from '../../src/store/demo.js'

/** Sessions the requests are spread over (`X-Mock-Session: soak-<n>`): each has its own journal ring and counters. */
export const soakSessions = 8

/**
 * Faults on, all seeded by the server's --seed. None leaves a socket held or cut (no `hang`,
 * `reset`, `truncate`): autocannon would reconnect and lose track of which answer is whose.
 */
export const soakScenario = {
  name: 'soak',
  description: 'the soak mix: 5 % 500 on reads and creates, 1 % 503 on GET /machines/{id}, 3 % 429 on the list, 2-5 ms on 20 % of readings queries, partial batches on 30 % of ingests',
  rules: [
    // not on DELETE: a failed delete would leave its machine live, and the live machines would pile up
    { name: 'server-error', match: { method: ['GET', 'POST'], path: '/api/v1/**' }, when: { probability: 0.05 }, fault: { kind: 'internal_error' } },
    { name: 'unavailable', match: { method: 'GET', path: '/api/v1/machines/*' }, when: { probability: 0.01 }, fault: { kind: 'service_unavailable' } },
    { name: 'throttled', match: { method: 'GET', path: '/api/v1/machines' }, when: { probability: 0.03 }, fault: { kind: 'rate_limited' } },
    { name: 'slow-readings', match: { method: 'GET', path: '/api/v1/machines/*/readings' }, when: { probability: 0.2 }, fault: { kind: 'latency', distribution: 'uniform', ms: 2, max_ms: 5 } },
    { name: 'partial', match: { method: 'POST', path: '/api/v1/ingest' }, when: { probability: 0.3 }, fault: { kind: 'partial_batch', every: 7 } },
  ],
}

/** Statuses the mix can answer; any other one (401, 409, 422, ...) means the mix itself is broken. */
export const expectedStatuses = new Set([200, 201, 204, 207, 404, 429, 500, 503])

/** The demo machines the reads and ingests go to (Acme's, seed-independent ids). */
const machines = ['CNC-001', 'CNC-002', 'PRESS-01', 'ROBOT-07'].map((identifier) => ({ identifier, id: demoId(`machine:acme:${identifier}`) }))
/** Readings per ingest batch: enough that every series reaches the store's per-metric cap during warm-up. */
const readingsPerBatch = 100
/** Ingests go to two machines, two metrics each: 4 series, each capped by the store. */
const ingestMachines = machines.slice(0, 2)

let sent = 0
let created = 0
const nextSession = () => `soak-${sent++ % soakSessions}`
const pick = <T>(list: T[], n: number): T => list[n % list.length]!

/**
 * The sequence each connection loops through (8 requests: 5 reads, 1 ingest, 1 create, 1 delete of
 * what it created, so the live machines do not pile up), with `token` a JWT of the demo admin.
 * Every request picks the next session of the pool and, where it names a machine, the next machine.
 */
export function soakRequests(token: string): RequestSpec[] {
  const key = { 'X-API-Key': demoApiKey }
  const jwt = { Authorization: `Bearer ${token}` }
  const json = { 'Content-Type': 'application/json' }
  const setup = (build: (n: number, context: Record<string, unknown>) => Partial<RequestSpec>) => (req: RequestSpec, context: Record<string, unknown>): RequestSpec => {
    const n = sent
    const built = { ...req, ...build(n, context) }
    return { ...built, headers: { ...built.headers, 'X-Mock-Session': nextSession() } }
  }
  return [
    { method: 'GET', path: '/api/v1/machines', headers: key, setupRequest: setup(() => ({})) },
    { method: 'GET', path: '', headers: key, setupRequest: setup((n) => ({ path: `/api/v1/machines/${pick(machines, n).id}` })) },
    { method: 'GET', path: '', headers: key, setupRequest: setup((n) => ({ path: `/api/v1/machines/${pick(machines, n).id}/readings?limit=100` })) },
    { method: 'POST', path: '/api/v1/ingest', headers: { ...key, ...json }, setupRequest: setup((n) => ({ body: ingestBody(pick(ingestMachines, n).identifier, n) })) },
    { method: 'GET', path: '', headers: key, setupRequest: setup((n) => ({ path: `/api/v1/machines/${pick(machines, n).id}/readings/latest` })) },
    {
      method: 'POST', path: '/api/v1/machines', headers: { ...jwt, ...json },
      setupRequest: setup(() => ({ body: JSON.stringify({ name: 'Soak machine', machine_identifier: `SOAK-${++created}`, protocol: 'json' }) })),
      onResponse: (status, body, context) => void (context.machineId = status === 201 ? (JSON.parse(body) as { id: string }).id : undefined),
    },
    // what the create made (a faulted create made nothing: its delete is a 404)
    { method: 'DELETE', path: '', headers: jwt, setupRequest: setup((_, context) => ({ path: `/api/v1/machines/${(context.machineId as string | undefined) ?? demoId('machine:acme:none')}` })) },
    { method: 'GET', path: '/api/v1/machines?page_size=5&sort_by=name', headers: jwt, setupRequest: setup(() => ({})) },
  ]
}

/** A batch of `readingsPerBatch` readings ending now, two metrics, values under the demo alert thresholds. */
function ingestBody(identifier: string, n: number): string {
  const now = Date.now()
  const readings = Array.from({ length: readingsPerBatch }, (_, i) => {
    const temperature = i % 2 === 0
    return {
      machine_identifier: identifier,
      timestamp: new Date(now - (readingsPerBatch - i) * 10).toISOString(),
      metric_name: temperature ? 'temperature' : 'vibration',
      value: temperature ? 60 + ((n + i) % 20) : 2 + ((n + i) % 40) / 10,
      unit: temperature ? 'celsius' : 'mm/s',
    }
  })
  return JSON.stringify({ readings })
}
