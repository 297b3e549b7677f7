// A client that goes away in the middle of a request leaves nothing behind: no timer on the clock,
// no held hang slot, no open connection; the journal still has its entry.
import { request } from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { activeHangs } from '../../src/faults/kinds/hang.js'
import { closeOpenSockets, listRoute, newSession, transportHelpers } from './transport-helpers.js'

const t = useServer()
const { rawRequest } = transportHelpers(t)

afterEach(closeOpenSockets)

/**
 * A control-plane call on a connection of its own that closes after the answer (fetch would keep
 * one open, and the test counts the server's connections).
 */
function control(path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}/__mock${path}`, { method: body === undefined ? 'GET' : 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString() || 'null') }))
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

/** A round trip and a few event-loop turns. */
async function settle(): Promise<void> {
  await control('/health')
  for (let i = 0; i < 5; i++) await new Promise(setImmediate)
}

/** Settles until `condition` holds. */
async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await condition()) return
    await settle()
  }
  throw new Error(`never: ${what}`)
}

/** Injects a one-off fault on `GET /api/v1/machines` into `session`; returns its rule id. */
async function inject(session: string, fault: Record<string, unknown>): Promise<string> {
  const res = await control(`/sessions/${session}/faults`, { fault, match: listRoute, times: 1 })
  expect(res.status).toBe(201)
  return (res.json as { id: string }).id
}

const fires = async (session: string, ruleId: string) =>
  (((await control(`/sessions/${session}`)).json as { counters: Record<string, { fires: number }> }).counters[ruleId]?.fires ?? 0) > 0

/** What is open on the server: its connections, the clock's pending timers, the held hangs. */
const leftovers = async () => ({ connections: await t.server.openConnections(), timers: t.clock.pending(), hangs: activeHangs() })
const nothing = { connections: 0, timers: 0, hangs: 0 }

/** Settles until what is open is `expected` (a closing control connection may linger a moment); fails with what is. */
async function openIs(expected: Awaited<ReturnType<typeof leftovers>>): Promise<void> {
  let now = await leftovers()
  await until(async () => JSON.stringify((now = await leftovers())) === JSON.stringify(expected), JSON.stringify(expected)).catch(() => expect(now).toEqual(expected))
}
const nothingLeft = () => openIs(nothing)

const journal = async (session: string) => (await control(`/journal?session=${session}`)).json as unknown[]

/** A journal entry of a request sent with the demo API key just now (the clock has not moved). */
const entry = (session: string, method: string, path: string, status: number | null, rule: string | null, fault: string | null) => ({
  id: expect.any(Number), time: new Date(t.clock.now()).toISOString(), session, method, path, status,
  duration_ms: 0, rule, fault, seed: 42, rate_limit_remaining: null, drift: null, retry_after: null,
  credential: expect.stringMatching(/^key:[0-9a-f]{12}$/), error: null,
})

describe('a client that leaves mid-request', () => {
  it.each([
    ['latency (before the API)', { kind: 'latency', ms: 60_000 }, null],
    ['hang with max_ms', { kind: 'hang', max_ms: 60_000 }, null],
    ['slow_body (after the first chunk)', { kind: 'slow_body', bytes_per_s: 64, chunk_bytes: 64 }, 200],
  ] as const)('%s: no timer, hang slot or connection is left; the journal has the entry', async (_, fault, status) => {
    const s = newSession()
    const id = await inject(s, fault)
    await nothingLeft()
    const raw = rawRequest(s)
    await until(() => fires(s, id), 'the fault fired')
    if (fault.kind === 'slow_body') await raw.until(() => (raw.parsed()?.body.length ?? 0) >= 64)
    // the request's connection, and one timer on the clock: the delay, the hang's max_ms, or the next chunk's due time
    await openIs({ connections: 1, timers: 1, hangs: fault.kind === 'hang' ? 1 : 0 })
    raw.socket.destroy()
    await nothingLeft()
    expect(await journal(s)).toEqual([entry(s, 'GET', '/api/v1/machines', status, id, fault.kind)])
  })

  // A client that half-closes instead (FIN) can still read the 400 Node's parser answers: bad-input.test.ts
  it('an upload reset half-way: nothing waits for the rest, no connection is left, the journal has no status', async () => {
    const s = newSession()
    await nothingLeft()
    const socket = net.connect(Number(new URL(t.url).port), '127.0.0.1')
    const closed = new Promise((resolve) => socket.on('close', resolve))
    socket.on('error', () => {})
    const headers = ['POST /api/v1/ingest HTTP/1.1', 'Host: 127.0.0.1', `X-API-Key: ${demoApiKey}`, `X-Mock-Session: ${s}`, 'Content-Type: application/json', `Content-Length: ${5 * 2 ** 20}`]
    socket.write(`${headers.join('\r\n')}\r\n\r\n{"readings": [${' '.repeat(2 ** 20)}`)
    await until(async () => (await t.server.openConnections()) === 1, 'the server has the connection')
    socket.resetAndDestroy()
    await closed
    await nothingLeft()
    await until(async () => (await journal(s)).length === 1, 'the request is journaled')
    expect(await journal(s)).toEqual([entry(s, 'POST', '/api/v1/ingest', null, null, null)])
  })
})
