import net from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { demoApiKey, demoPassword, useServer } from '../helpers.js'
import { isoSeconds } from '../../src/clock.js'
import { Rng } from '../../src/rng.js'
import { demoId } from '../../src/store/demo.js'
import { activeHangs, maxConcurrentHangs } from '../../src/faults/kinds/hang.js'
import { drawDelay } from '../../src/faults/kinds/latency.js'

const t = useServer()

let sessions = 0
/** A session of its own for every test, so one-off faults never meet another test's requests. */
const newSession = () => `transport-${++sessions}`

const listRoute = { method: 'GET', path: '/api/v1/machines' }
const createRoute = { method: 'POST', path: '/api/v1/machines' }
const keyIn = (session: string) => ({ 'X-API-Key': demoApiKey, 'X-Mock-Session': session })
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
/** What Node adds to every response on a keep-alive connection. */
const nodeHeaders = { date: expect.any(String), connection: 'keep-alive', 'keep-alive': 'timeout=5' }
const headersOf = (res: Response) => Object.fromEntries(res.headers)

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

/** Whether a promise has settled, read without awaiting it. */
function track(p: Promise<unknown>): { settled: boolean } {
  const state = { settled: false }
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  )
  return state
}

/** Settles until `condition` holds (each round is a real round trip, no timers). */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (condition()) return
    await settle()
  }
  throw new Error(`never: ${what}`)
}

const openSockets = new Set<net.Socket>()
afterEach(() => {
  for (const s of openSockets) s.destroy()
  openSockets.clear()
})

/** A raw `GET /api/v1/machines` on its own socket, to see exactly which bytes come back and how the connection ends. */
function rawRequest(session: string, extraHeaders: Record<string, string> = {}) {
  const socket = net.connect(Number(new URL(t.url).port), '127.0.0.1')
  openSockets.add(socket)
  const chunks: Buffer[] = []
  const waiters = new Set<() => void>()
  const state = { error: undefined as string | undefined, ended: false, closed: false }
  const wake = () => waiters.forEach((w) => w())
  socket.on('data', (d) => (chunks.push(d), wake()))
  socket.on('error', (e: NodeJS.ErrnoException) => (state.error = e.code))
  socket.on('end', () => (state.ended = true))
  socket.on('close', () => ((state.closed = true), wake()))
  const headers = { Host: '127.0.0.1', 'X-API-Key': demoApiKey, 'X-Mock-Session': session, ...extraHeaders }
  socket.write(`GET /api/v1/machines HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`)
  const received = () => Buffer.concat(chunks)
  /** Resolves once `condition` holds (checked on every byte and on close). */
  const until = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => condition() && (waiters.delete(check), resolve())
      waiters.add(check)
      check()
    })
  return {
    socket,
    state,
    received,
    until,
    closed: () => until(() => state.closed),
    /** Status line and headers (names lower-cased), and the body bytes so far. */
    parsed() {
      const all = received()
      const end = all.indexOf('\r\n\r\n')
      if (end < 0) return undefined
      const [statusLine, ...lines] = all.subarray(0, end).toString('latin1').split('\r\n')
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
      return { statusLine, headers, body: all.subarray(end + 4) }
    },
  }
}

describe('latency', () => {
  it('fixed, before: the request waits `ms` on the clock, then the API answers as usual', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'latency', ms: 500 })
    const plain = await plainList()
    const pending = t.api('/machines', { headers: keyIn(s) })
    const state = track(pending)
    await fired(s, id)
    await settle()
    expect(state.settled).toBe(false)
    t.clock.advance(499)
    await settle()
    expect(state.settled).toBe(false)
    t.clock.advance(1)
    const res = await pending
    expect(res.status).toBe(200)
    expect(headersOf(res)).toEqual({ 'content-type': 'application/json', 'content-length': String(plain.length), 'x-mock-fault': 'latency', 'x-mock-rule': id, ...nodeHeaders })
    expect(Buffer.from(await res.arrayBuffer())).toEqual(plain)
  })

  it('before: the API has not seen the request during the delay; after: it has, and only the answer waits', async () => {
    const { token } = await t.login('admin@acme.example')
    const identifiers = async () => ((await (await t.api('/machines?page_size=100', { headers: { 'X-API-Key': demoApiKey } })).json()).items as { machine_identifier: string }[]).map((m) => m.machine_identifier)
    for (const at of ['before', 'after'] as const) {
      const s = newSession()
      const id = await inject(s, { kind: 'latency', ms: 2_000, at }, createRoute)
      const identifier = `LAT-${at.toUpperCase()}`
      const sentAt = t.clock.now()
      const pending = t.api('/machines', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'X-Mock-Session': s }, json: { name: `Latency ${at}`, machine_identifier: identifier, protocol: 'json' } })
      const state = track(pending)
      await fired(s, id)
      await settle()
      expect(state.settled).toBe(false)
      expect((await identifiers()).includes(identifier)).toBe(at === 'after')
      t.clock.advance(1_999)
      await settle()
      expect(state.settled).toBe(false)
      t.clock.advance(1)
      const res = await pending
      expect([res.status, headersOf(res)['x-mock-fault'], headersOf(res)['x-mock-rule']]).toEqual([201, 'latency', id])
      // the API ran before the delay (after) or once it was over (before): its timestamps say when
      const createdAt = isoSeconds(at === 'after' ? sentAt : sentAt + 2_000)
      expect(await res.json()).toEqual({
        id: expect.stringMatching(uuid), name: `Latency ${at}`, machine_identifier: identifier, protocol: 'json', location: null, status: 'offline',
        tenant_id: demoId('tenant:acme'), is_active: true, created_at: createdAt, updated_at: createdAt,
      })
      expect(await identifiers()).toContain(identifier)
    }
  })

  it.each([
    ['uniform', { distribution: 'uniform', ms: 100, max_ms: 800 }, 100],
    ['lognormal', { distribution: 'lognormal', ms: 200, sigma: 0.6, max_ms: 5_000 }, 0],
  ])('%s: the same session and seed draw the same delays again, another seed others', async (name, options, least) => {
    const s = newSession()
    const scenario = { name: `jitter-${name}`, rules: [{ name: 'slow', match: listRoute, fault: { kind: 'latency', ...options } }] }
    const ruleId = `jitter-${name}/slow`
    const sleep = vi.spyOn(t.clock, 'sleep')
    try {
      /** Sends `n` requests one after another; each is answered exactly when its drawn delay is over. */
      const delays = async (n: number) => {
        const drawn: number[] = []
        for (let i = 1; i <= n; i++) {
          sleep.mockClear()
          const pending = t.api('/machines', { headers: keyIn(s) })
          const state = track(pending)
          await fired(s, ruleId, i)
          expect(sleep).toHaveBeenCalledTimes(1)
          const ms = sleep.mock.calls[0]![0]
          drawn.push(ms)
          if (ms > 0) {
            t.clock.advance(ms - 1)
            await settle()
            expect(state.settled).toBe(false)
          }
          t.clock.advance(1)
          const res = await pending
          expect([res.status, res.headers.get('x-mock-rule')]).toEqual([200, ruleId])
          await res.arrayBuffer()
        }
        return drawn
      }
      expect((await control(`/sessions/${s}/scenarios`, { scenario, seed: 7 })).status).toBe(201)
      const first = await delays(6)
      expect(first.every((ms) => ms >= least && ms <= options.max_ms)).toBe(true)
      expect(new Set(first).size).toBeGreaterThan(1)

      expect((await control(`/sessions/${s}/reset`, {})).status).toBe(200)
      expect(await delays(6)).toEqual(first)

      expect((await control(`/sessions/${s}/scenarios`, { scenario, seed: 8 })).status).toBe(201)
      expect(await delays(6)).not.toEqual(first)
    } finally {
      sleep.mockRestore()
    }
  })
})

describe('latency draws (drawDelay)', () => {
  const seeded = (seed: number) => {
    const rng = new Rng(seed)
    return () => rng.float()
  }
  const draws = (o: Parameters<typeof drawDelay>[0], seed: number, n: number) => {
    const random = seeded(seed)
    return Array.from({ length: n }, () => drawDelay(o, random))
  }

  it('fixed is always `ms`, whatever the draw', () => {
    expect(draws({ ms: 250, distribution: 'fixed', sigma: 0.5 }, 1, 5)).toEqual([250, 250, 250, 250, 250])
  })

  it('uniform spans [ms, max_ms], and is `ms` without max_ms', () => {
    const o = { ms: 100, max_ms: 300, distribution: 'uniform', sigma: 0.5 }
    expect([0, 0.5, 0.999_999].map((r) => drawDelay(o, () => r))).toEqual([100, 200, 300])
    const many = draws(o, 3, 2_000)
    expect([Math.min(...many), Math.max(...many)]).toEqual([100, 300])
    expect(drawDelay({ ms: 100, distribution: 'uniform', sigma: 0.5 }, () => 0.7)).toBe(100)
  })

  it('lognormal has median `ms`, spreads by sigma, and is capped by max_ms', () => {
    // Box-Muller with draws 0.5 then 0: z = sqrt(2 ln 2), delay = 200 * exp(0.5 z)
    const fixedDraws = [0.5, 0]
    expect(drawDelay({ ms: 200, distribution: 'lognormal', sigma: 0.5 }, () => fixedDraws.shift()!)).toBe(360)
    expect(drawDelay({ ms: 200, distribution: 'lognormal', sigma: 0 }, seeded(5))).toBe(200)
    const many = draws({ ms: 200, distribution: 'lognormal', sigma: 0.6 }, 11, 4_001).sort((a, b) => a - b)
    expect(many[2_000]).toBeGreaterThan(190)
    expect(many[2_000]).toBeLessThan(210)
    expect(Math.max(...draws({ ms: 200, distribution: 'lognormal', sigma: 2, max_ms: 1_000 }, 11, 1_000))).toBe(1_000)
  })

  it('the same seed gives the same delays, another seed others', () => {
    const o = { ms: 200, distribution: 'lognormal', sigma: 0.6, max_ms: 5_000 }
    expect(draws(o, 42, 20)).toEqual(draws(o, 42, 20))
    expect(draws(o, 42, 20)).not.toEqual(draws(o, 43, 20))
  })
})

describe('reset', () => {
  it('the fetch rejects: the connection is reset before any byte; the next request is served', async () => {
    const s = newSession()
    await inject(s, { kind: 'reset' })
    await expect(t.api('/machines', { headers: keyIn(s) })).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNRESET' } })
    const next = await t.api('/machines', { headers: keyIn(s) })
    expect([next.status, next.headers.get('x-mock-fault')]).toEqual([200, null])
    expect(Buffer.from(await next.arrayBuffer())).toEqual(await plainList())
  })

  it('no byte comes back on the wire', async () => {
    const s = newSession()
    await inject(s, { kind: 'reset' })
    const raw = rawRequest(s)
    await raw.closed()
    expect([raw.received().length, raw.state.error]).toEqual([0, 'ECONNRESET'])
  })
})

describe('reset_after_commit', () => {
  it('the fetch rejects but the machine was created: the list shows it and a retry meets 409', async () => {
    const s = newSession()
    const { token } = await t.login('admin@acme.example')
    const auth = { Authorization: `Bearer ${token}` }
    await inject(s, { kind: 'reset_after_commit' }, createRoute)
    const machine = { name: 'Lost Response', machine_identifier: 'LOST-1', protocol: 'modbus_tcp' }
    await expect(t.api('/machines', { method: 'POST', headers: { ...auth, 'X-Mock-Session': s }, json: machine })).rejects.toMatchObject({
      name: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNRESET' },
    })
    const list = await (await t.api('/machines?search=Lost', { headers: auth })).json()
    expect(list).toEqual({
      items: [{ id: expect.stringMatching(uuid), ...machine, status: 'offline', location: null, created_at: isoSeconds(t.clock.now()) }],
      total: 1, page: 1, page_size: 20, total_pages: 1,
    })
    const retry = await t.api('/machines', { method: 'POST', headers: { ...auth, 'X-Mock-Session': s }, json: machine })
    expect(retry.status).toBe(409)
    expect(await retry.json()).toEqual({ detail: 'A machine with this identifier already exists for this tenant.' })
  })
})

describe('empty_reply', () => {
  it('the fetch rejects: the server closes without a response', async () => {
    const s = newSession()
    await inject(s, { kind: 'empty_reply' })
    await expect(t.api('/machines', { headers: keyIn(s) })).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: { code: 'UND_ERR_SOCKET', message: 'other side closed' } })
  })

  it('zero bytes, then a clean close (FIN, not a reset)', async () => {
    const s = newSession()
    await inject(s, { kind: 'empty_reply' })
    const raw = rawRequest(s)
    await raw.closed()
    expect([raw.received().length, raw.state.ended, raw.state.error]).toEqual([0, true, undefined])
  })
})

describe('hang', () => {
  it('holds the request, for an hour and more, until the client aborts; the slot is then free', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'hang' })
    const abort = new AbortController()
    const pending = t.api('/machines', { headers: keyIn(s), signal: abort.signal })
    const state = track(pending)
    await fired(s, id)
    expect(activeHangs()).toBe(1)
    t.clock.advance(3_600_000)
    await settle()
    expect(state.settled).toBe(false)
    abort.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    await eventually(() => activeHangs() === 0, 'the hang let go')
  })

  it('max_ms: the connection is reset, without a byte, when the time is up', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'hang', max_ms: 30_000 })
    const raw = rawRequest(s)
    await fired(s, id)
    t.clock.advance(29_999)
    await settle()
    expect([raw.received().length, raw.state.closed]).toEqual([0, false])
    t.clock.advance(1)
    await raw.closed()
    expect([raw.received().length, raw.state.error]).toEqual([0, 'ECONNRESET'])
    expect(activeHangs()).toBe(0)
  })

  it('max_ms with fetch: it rejects with a reset', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'hang', max_ms: 5_000 })
    const pending = t.api('/machines', { headers: keyIn(s) })
    const state = track(pending)
    await fired(s, id)
    await settle()
    expect(state.settled).toBe(false)
    t.clock.advance(5_000)
    await expect(pending).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNRESET' } })
  })

  it(`holds at most ${maxConcurrentHangs} at once: the next answers 503 with Retry-After: 1; a freed slot is taken again`, async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'hang' }, listRoute, maxConcurrentHangs + 1)
    const held = Array.from({ length: maxConcurrentHangs }, () => rawRequest(s))
    await fired(s, id, maxConcurrentHangs)
    expect(activeHangs()).toBe(maxConcurrentHangs)

    const over = await t.api('/machines', { headers: keyIn(s) })
    expect(over.status).toBe(503)
    const detail = '{"detail":"Service temporarily unavailable."}'
    expect(headersOf(over)).toEqual({ 'content-type': 'application/json', 'content-length': String(detail.length), 'retry-after': '1', 'x-mock-fault': 'hang', 'x-mock-rule': id, ...nodeHeaders })
    expect(await over.text()).toBe(detail)

    held[0]!.socket.destroy()
    await eventually(() => activeHangs() === maxConcurrentHangs - 1, 'a slot freed')
    const again = await inject(s, { kind: 'hang' })
    const another = rawRequest(s)
    await fired(s, again)
    expect(activeHangs()).toBe(maxConcurrentHangs)
    expect(held.every((r) => r.received().length === 0) && another.received().length === 0).toBe(true)

    for (const r of [...held, another]) r.socket.destroy()
    await eventually(() => activeHangs() === 0, 'every hang let go')
  })
})

describe('truncate', () => {
  it('sends the status line and headers with the full Content-Length, `bytes` of the body, then drops the connection', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'truncate', bytes: 100 })
    const plain = await plainList()
    const raw = rawRequest(s)
    await raw.closed()
    const { statusLine, headers, body } = raw.parsed()!
    expect(statusLine).toBe('HTTP/1.1 200 OK')
    expect(headers).toEqual({ 'content-type': 'application/json', 'content-length': String(plain.length), 'x-mock-fault': 'truncate', 'x-mock-rule': id, ...nodeHeaders })
    expect(body).toEqual(plain.subarray(0, 100))
    // The server resets; a reset right behind the last bytes may read as a plain close on the client.
    expect([undefined, 'ECONNRESET']).toContain(raw.state.error)
  })

  it('with fetch: the headers arrive, the body breaks off after half of it (the default)', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'truncate' })
    const plain = await plainList()
    const res = await t.api('/machines', { headers: keyIn(s) })
    expect(res.status).toBe(200)
    expect(headersOf(res)).toEqual({ 'content-type': 'application/json', 'content-length': String(plain.length), 'x-mock-fault': 'truncate', 'x-mock-rule': id, ...nodeHeaders })
    const reader = res.body!.getReader()
    const got: Uint8Array[] = []
    const failure = await (async () => {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return undefined
        got.push(value)
      }
    })().catch((e: unknown) => e)
    expect(failure).toMatchObject({ name: 'TypeError', message: 'terminated' })
    expect(Buffer.concat(got)).toEqual(plain.subarray(0, Math.floor(plain.length / 2)))
  })

  it('for a browser (Origin): CORS headers as on any response, and not one byte more than `bytes`', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'truncate', bytes: 10 })
    const plain = await plainList()
    const raw = rawRequest(s, { Origin: 'http://localhost:3000', Connection: 'close' })
    await raw.closed()
    const { statusLine, headers, body } = raw.parsed()!
    expect(statusLine).toBe('HTTP/1.1 200 OK')
    expect(headers).toEqual({
      'content-type': 'application/json', 'content-length': String(plain.length), 'x-mock-fault': 'truncate', 'x-mock-rule': id,
      'access-control-allow-origin': 'http://localhost:3000', 'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset,Retry-After', vary: 'Origin',
      date: expect.any(String), connection: 'close',
    })
    expect(body).toEqual(plain.subarray(0, 10))
  })
})

describe('malformed_body', () => {
  it('keeps status and content type; the body is cut, not JSON, and Content-Length counts the bytes sent', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'malformed_body' })
    const plain = await plainList()
    const expected = Buffer.concat([plain.subarray(0, Math.floor(plain.length / 2)), Buffer.from('\u0000<')])
    const res = await t.api('/machines', { headers: keyIn(s) })
    expect(res.status).toBe(200)
    expect(headersOf(res)).toEqual({ 'content-type': 'application/json', 'content-length': String(expected.length), 'x-mock-fault': 'malformed_body', 'x-mock-rule': id, ...nodeHeaders })
    const body = Buffer.from(await res.arrayBuffer())
    expect(body).toEqual(expected)
    expect(() => JSON.parse(body.toString('utf8'))).toThrow(SyntaxError)
  })

  it('keeps the Set-Cookie of the response it breaks', async () => {
    const s = newSession()
    await inject(s, { kind: 'malformed_body' }, { method: 'POST', path: '/api/v1/auth/login' })
    const res = await t.api('/auth/login', { method: 'POST', headers: { 'X-Mock-Session': s }, json: { email: 'viewer@acme.example', password: demoPassword } })
    expect([res.status, res.headers.get('content-type'), res.headers.get('x-mock-fault')]).toEqual([200, 'application/json', 'malformed_body'])
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/^refresh_token=[^;]+; /)])
    const body = Buffer.from(await res.arrayBuffer())
    expect(res.headers.get('content-length')).toBe(String(body.length))
    expect(body.subarray(0, 17).toString()).toBe('{"access_token":"')
    expect(body.subarray(-2).toString()).toBe('\u0000<')
  })
})

describe('slow_body', () => {
  it('sends the headers and the first chunk at once, then a chunk each time the clock passes its due time; the body ends byte-identical', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'slow_body', bytes_per_s: 1_000, chunk_bytes: 100 })
    const plain = await plainList()
    const raw = rawRequest(s)
    await raw.until(() => (raw.parsed()?.body.length ?? 0) >= 100)
    const { statusLine, headers } = raw.parsed()!
    expect(statusLine).toBe('HTTP/1.1 200 OK')
    expect(headers).toEqual({ 'content-type': 'application/json', 'content-length': String(plain.length), 'x-mock-fault': 'slow_body', 'x-mock-rule': id, ...nodeHeaders })
    // 100 bytes at 1000 B/s: one chunk every 100 ms
    for (let sent = 100; sent < plain.length; sent += 100) {
      await settle()
      expect(raw.parsed()!.body).toEqual(plain.subarray(0, sent))
      t.clock.advance(99)
      await settle()
      expect(raw.parsed()!.body.length).toBe(sent)
      t.clock.advance(1)
      await raw.until(() => raw.parsed()!.body.length >= Math.min(sent + 100, plain.length))
    }
    await settle()
    expect(raw.parsed()!.body).toEqual(plain)
    expect(raw.state.closed).toBe(false) // a complete response: the connection stays open for the next
  })

  it.each([
    [50, undefined, 64], // chunk_bytes: 64 by default
    [3, 1, 1], // 333.3 ms a byte: the due times do not drift with rounding
  ])('with fetch at %s B/s, chunk_bytes %s: the body completes exactly when the last chunk is due', async (bytesPerS, chunkOption, chunk) => {
    const s = newSession()
    await inject(s, { kind: 'slow_body', bytes_per_s: bytesPerS, ...(chunkOption === undefined ? {} : { chunk_bytes: chunkOption }) })
    const plain = await plainList()
    const res = await t.api('/machines', { headers: keyIn(s) })
    expect([res.status, res.headers.get('x-mock-fault'), res.headers.get('content-length')]).toEqual([200, 'slow_body', String(plain.length)])
    const body = res.arrayBuffer()
    const state = track(body)
    // the last chunk starts at byte chunk * floor((length - 1) / chunk), and is due when those bytes took their time
    const lastDue = Math.round(((chunk * Math.floor((plain.length - 1) / chunk)) / bytesPerS) * 1000)
    t.clock.advance(lastDue - 1)
    await settle()
    expect(state.settled).toBe(false)
    t.clock.advance(1)
    expect(Buffer.from(await body)).toEqual(plain)
  })

  it('for a browser (Origin): CORS headers as on any response, and the whole body in the end', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'slow_body', bytes_per_s: 100, chunk_bytes: 500 })
    const plain = await plainList()
    const raw = rawRequest(s, { Origin: 'http://localhost:3000', Connection: 'close' })
    await raw.until(() => (raw.parsed()?.body.length ?? 0) >= 500)
    await settle()
    expect(raw.parsed()!.body).toEqual(plain.subarray(0, 500))
    t.clock.advance(Math.round(((500 * Math.floor((plain.length - 1) / 500)) / 100) * 1000))
    await raw.closed()
    const { statusLine, headers, body } = raw.parsed()!
    expect(statusLine).toBe('HTTP/1.1 200 OK')
    expect(headers).toEqual({
      'content-type': 'application/json', 'content-length': String(plain.length), 'x-mock-fault': 'slow_body', 'x-mock-rule': id,
      'access-control-allow-origin': 'http://localhost:3000', 'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset,Retry-After', vary: 'Origin',
      date: expect.any(String), connection: 'close',
    })
    expect([body, raw.state.error]).toEqual([plain, undefined])
  })
})

describe('respond', () => {
  it('any status, headers and a text body', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'respond', status: 418, headers: { 'X-Teapot': 'short and stout' }, body: 'I am a teapot' })
    const res = await t.api('/machines', { headers: keyIn(s) })
    expect(res.status).toBe(418)
    expect(headersOf(res)).toEqual({ 'content-type': 'text/plain; charset=UTF-8', 'content-length': '13', 'x-teapot': 'short and stout', 'x-mock-fault': 'respond', 'x-mock-rule': id, ...nodeHeaders })
    expect(await res.text()).toBe('I am a teapot')
  })

  it('an object body is sent as JSON', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'respond', status: 503, headers: { 'Retry-After': '30' }, body: { detail: 'Down for maintenance.', eta_s: 30 } })
    const res = await t.api('/machines', { headers: keyIn(s) })
    expect(res.status).toBe(503)
    const json = '{"detail":"Down for maintenance.","eta_s":30}'
    expect(headersOf(res)).toEqual({ 'content-type': 'application/json', 'content-length': String(json.length), 'retry-after': '30', 'x-mock-fault': 'respond', 'x-mock-rule': id, ...nodeHeaders })
    expect(await res.text()).toBe(json)
  })

  it('an array body is JSON too, and a given Content-Type is kept', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'respond', status: 200, headers: { 'Content-Type': 'application/vnd.haltless+json' }, body: [1, 'two', null] })
    const res = await t.api('/machines', { headers: keyIn(s) })
    expect(res.status).toBe(200)
    expect(headersOf(res)).toEqual({ 'content-type': 'application/vnd.haltless+json', 'content-length': '14', 'x-mock-fault': 'respond', 'x-mock-rule': id, ...nodeHeaders })
    expect(await res.text()).toBe('[1,"two",null]')
  })

  it('a 204 has no body, even when one is given', async () => {
    const s = newSession()
    const id = await inject(s, { kind: 'respond', status: 204, headers: { 'X-Trace': 'abc' }, body: 'dropped' })
    const raw = rawRequest(s, { Connection: 'close' })
    await raw.closed()
    const { statusLine, headers, body } = raw.parsed()!
    expect(statusLine).toBe('HTTP/1.1 204 No Content')
    expect(headers).toEqual({ 'x-trace': 'abc', 'x-mock-fault': 'respond', 'x-mock-rule': id, date: expect.any(String), connection: 'close' })
    expect(body.length).toBe(0)
  })
})
