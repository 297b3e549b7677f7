import { afterEach, describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { isoSeconds } from '../../src/clock.js'
import { activeHangs, maxConcurrentHangs } from '../../src/faults/kinds/hang.js'
import { closeOpenSockets, newSession, listRoute, createRoute, keyIn, uuid, nodeHeaders, headersOf, track, transportHelpers } from './transport-helpers.js'

const t = useServer()
const { inject, plainList, fired, settle, eventually, rawRequest } = transportHelpers(t)

afterEach(closeOpenSockets)

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
