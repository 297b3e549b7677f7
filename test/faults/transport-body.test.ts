import { afterEach, describe, expect, it } from 'vitest'
import { demoPassword, useServer } from '../helpers.js'
import { closeOpenSockets, newSession, keyIn, nodeHeaders, headersOf, transportHelpers, browserFaultHeaders } from './transport-helpers.js'

const t = useServer()
const { inject, plainList, rawRequest } = transportHelpers(t)

afterEach(closeOpenSockets)

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
    expect(headers).toEqual(browserFaultHeaders('truncate', id, plain.length))
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
