import { afterEach, describe, expect, it, vi } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { isoSeconds } from '../../src/clock.js'
import { Rng } from '../../src/rng.js'
import { demoId } from '../../src/store/demo.js'
import { drawDelay } from '../../src/faults/kinds/latency.js'
import { closeOpenSockets, newSession, listRoute, createRoute, keyIn, uuid, nodeHeaders, headersOf, track, transportHelpers, browserFaultHeaders } from './transport-helpers.js'

const t = useServer()
const { control, inject, plainList, fired, settle, rawRequest } = transportHelpers(t)

afterEach(closeOpenSockets)

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

  it('before: a client that gives up during the delay never reaches the API', async () => {
    const { token } = await t.login('admin@acme.example')
    const s = newSession()
    const id = await inject(s, { kind: 'latency', ms: 5_000 }, createRoute)
    const abort = new AbortController()
    const pending = t.api('/machines', { method: 'POST', signal: abort.signal, headers: { Authorization: `Bearer ${token}`, 'X-Mock-Session': s }, json: { name: 'Gave up', machine_identifier: 'GAVE-UP', protocol: 'json' } })
    await fired(s, id)
    abort.abort()
    await expect(pending).rejects.toThrow()
    await settle()
    t.clock.advance(5_000)
    await settle()
    const list = await (await t.api('/machines?page_size=100', { headers: { 'X-API-Key': demoApiKey } })).json()
    expect(list.items.map((m: { machine_identifier: string }) => m.machine_identifier)).not.toContain('GAVE-UP')
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
    expect(headers).toEqual(browserFaultHeaders('slow_body', id, plain.length))
    expect([body, raw.state.error]).toEqual([plain, undefined])
  })
})
