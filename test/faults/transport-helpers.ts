import net from 'node:net'
import { expect } from 'vitest'
import { demoApiKey, type TestServer } from '../helpers.js'
import { rawConnection } from '../raw-http.js'

/** Helpers shared by the transport fault tests (transport-*.test.ts); each test file starts its own server with useServer(). */

let sessions = 0
/** A session of its own for every test, so one-off faults never meet another test's requests. */
export const newSession = () => `transport-${++sessions}`

export const listRoute = { method: 'GET', path: '/api/v1/machines' }
export const createRoute = { method: 'POST', path: '/api/v1/machines' }
export const keyIn = (session: string) => ({ 'X-API-Key': demoApiKey, 'X-Mock-Session': session })
export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
/** What Node adds to every response on a keep-alive connection. */
export const nodeHeaders = { date: expect.any(String), connection: 'keep-alive', 'keep-alive': 'timeout=5' }
export const headersOf = (res: Response) => Object.fromEntries(res.headers)

/** Every header of a labelled fault answer to a browser (Origin http://localhost:3000, Connection: close). */
export const browserFaultHeaders = (kind: string, ruleId: string, contentLength: number) => ({
  'content-type': 'application/json', 'content-length': String(contentLength), 'x-mock-fault': kind, 'x-mock-rule': ruleId,
  'access-control-allow-origin': 'http://localhost:3000', 'access-control-allow-credentials': 'true',
  'access-control-expose-headers': 'X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset,Retry-After', vary: 'Origin',
  date: expect.any(String), connection: 'close',
})

/** Whether a promise has settled, read without awaiting it. */
export function track(p: Promise<unknown>): { settled: boolean } {
  const state = { settled: false }
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  )
  return state
}

const openSockets = new Set<net.Socket>()
/** Destroys every socket rawRequest opened; each test file runs it in its afterEach. */
export function closeOpenSockets(): void {
  for (const s of openSockets) s.destroy()
  openSockets.clear()
}

/** The helpers that talk to the test server `t`. */
export function transportHelpers(t: TestServer) {
  const control = (path: string, body?: unknown) =>
    fetch(`${t.url}/__mock${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

  /** Injects a one-off fault into `session`; returns its rule id. */
  async function inject(session: string, fault: Record<string, unknown>, match: Record<string, unknown> = listRoute, times = 1): Promise<string> {
    const res = await control(`/sessions/${session}/faults`, { fault, match, times })
    const body = await res.json()
    expect([res.status, body]).toEqual([201, { id: expect.stringMatching(/^oneoff\/\d+$/), session, kind: fault.kind, times }])
    return body.id
  }

  /** The machine list's bytes as the API answers it right now, without a fault. */
  async function plainList(): Promise<Buffer> {
    const res = await t.api('/machines', { headers: { 'X-API-Key': demoApiKey } })
    expect(res.status).toBe(200)
    return Buffer.from(await res.arrayBuffer())
  }

  /** Polls the control plane until the rule has fired `n` times: the fault is then under way. */
  async function fired(session: string, ruleId: string, n = 1): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const s = await (await control(`/sessions/${session}`)).json()
      if ((s.counters[ruleId]?.fires ?? 0) >= n) return
    }
    throw new Error(`${ruleId} did not fire ${n} times`)
  }

  /** A round trip to the control plane and a few event-loop turns: time for any answer already on its way to arrive. */
  async function settle(): Promise<void> {
    await (await control('/health')).arrayBuffer()
    for (let i = 0; i < 5; i++) await new Promise(setImmediate)
  }

  /** Settles until `condition` holds (each round is a real round trip, no timers). */
  async function eventually(condition: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (condition()) return
      await settle()
    }
    throw new Error(`never: ${what}`)
  }

  /** A raw `GET /api/v1/machines` on its own socket, to see exactly which bytes come back and how the connection ends. */
  function rawRequest(session: string, extraHeaders: Record<string, string> = {}) {
    const headers = { Host: '127.0.0.1', 'X-API-Key': demoApiKey, 'X-Mock-Session': session, ...extraHeaders }
    return rawConnection(t.url, ['GET /api/v1/machines HTTP/1.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)], openSockets)
  }

  return { control, inject, plainList, fired, settle, eventually, rawRequest }
}
