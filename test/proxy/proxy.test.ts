import { createHash } from 'node:crypto'
import { request } from 'node:http'
import { connect } from 'node:net'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { useServer } from '../helpers.js'
import { useBareUpstream } from './upstream.js'
import type { MockServerOptions } from '../../src/server.js'

const upstream = useBareUpstream()
const options: MockServerOptions = { mode: 'proxy', upstreamTimeoutMs: 5000 }
beforeAll(() => void (options.upstream = upstream.url))
const t = useServer(options)

beforeEach(() => {
  upstream.seen.length = 0
  upstream.handler = (_req, res) => res.end('{}')
  t.server.deps.drift!.clear()
})

/** A raw HTTP/1.1 exchange on a fresh socket: what the client's bytes get back, as text. */
function raw(text: string): Promise<string> {
  const { port } = new URL(t.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(text))
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    socket.on('error', reject)
  })
}

describe('proxy mode: pass-through', () => {
  it('forwards status, headers and body byte for byte', async () => {
    const body = '{"items":[ {"odd":  "spacing"} ],"é":"ü"}\n'
    upstream.handler = (_req, res) => res.writeHead(418, { 'content-type': 'application/json; charset=utf-8', 'x-upstream': 'yes' }).end(body)
    const res = await t.api('/anything/here?x=1&y=%20', { headers: { 'X-API-Key': 'hk_real', Authorization: 'Bearer real-token', Cookie: 'refresh_token=r1' } })
    expect(res.status).toBe(418)
    expect(res.headers.get('x-upstream')).toBe('yes')
    expect(Buffer.from(await res.arrayBuffer()).toString('utf8')).toBe(body)
    expect(upstream.seen).toEqual([
      expect.objectContaining({ method: 'GET', url: '/api/v1/anything/here?x=1&y=%20', headers: expect.objectContaining({ 'x-api-key': 'hk_real', authorization: 'Bearer real-token', cookie: 'refresh_token=r1' }) }),
    ])
  })

  it('streams a large body: the client has the first bytes before the upstream has sent the rest', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a')
    let release!: () => void
    const released = new Promise<void>((r) => (release = r))
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.write(chunk)
      void released.then(() => {
        for (let i = 0; i < 7; i++) res.write(chunk)
        res.end()
      })
    }
    const { port } = new URL(t.url)
    const result = await new Promise<{ size: number; hash: string; firstBeforeRelease: boolean }>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/api/v1/big' }, (res) => {
        const hash = createHash('sha256')
        let size = 0
        let firstBeforeRelease = false
        res.on('data', (c: Buffer) => {
          if (size === 0) firstBeforeRelease = true
          size += c.length
          hash.update(c)
          release()
        })
        res.on('end', () => resolve({ size, hash: hash.digest('hex'), firstBeforeRelease }))
      }).on('error', reject).end()
    })
    const expected = createHash('sha256')
    for (let i = 0; i < 8; i++) expected.update(chunk)
    expect(result).toEqual({ size: 8 * chunk.length, hash: expected.digest('hex'), firstBeforeRelease: true })
  })

  it('forwards a request body untouched, also when a scenario rule read it first', async () => {
    upstream.handler = (_req, res, body) => res.writeHead(201, { 'content-type': 'application/json' }).end(body)
    const res = await t.api('/machines', { method: 'POST', json: { name: 'Lathe', machine_identifier: 'L-1', protocol: 'json' } })
    expect([res.status, await res.text()]).toEqual([201, '{"name":"Lathe","machine_identifier":"L-1","protocol":"json"}'])
    const sent = await fetch(`${t.url}/__mock/sessions/body/scenarios`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      json: undefined, body: JSON.stringify({ scenario: { name: 'body-match', rules: [{ match: { body: { protocol: 'csv' } }, fault: { kind: 'internal_error' } }] } }),
    } as RequestInit)
    expect(sent.status).toBe(201)
    const passed = await t.api('/machines', { method: 'POST', headers: { 'X-Mock-Session': 'body' }, json: { name: 'Press', machine_identifier: 'P-1', protocol: 'json' } })
    expect([passed.status, await passed.text()]).toEqual([201, '{"name":"Press","machine_identifier":"P-1","protocol":"json"}'])
    const faulted = await t.api('/machines', { method: 'POST', headers: { 'X-Mock-Session': 'body' }, json: { name: 'X', machine_identifier: 'X-1', protocol: 'csv' } })
    expect(faulted.status).toBe(500)
    expect(upstream.seen.map((s) => s.body)).toEqual([
      '{"name":"Lathe","machine_identifier":"L-1","protocol":"json"}',
      '{"name":"Press","machine_identifier":"P-1","protocol":"json"}',
    ])
  })
})

describe('proxy mode: hygiene', () => {
  it('never forwards X-Mock-* or Prefer: code=..., and rewrites Host to the upstream', async () => {
    await t.api('/machines', { headers: { 'X-Mock-Session': 's', 'X-Mock-Fault': 'reset', 'X-Mock-Admin-Token': 'secret', Prefer: 'code=500, respond-async' } })
    const h = upstream.seen[0]!.headers
    expect(Object.keys(h).filter((k) => k.startsWith('x-mock-'))).toEqual([])
    expect(h.prefer).toBe('respond-async')
    expect(h.host).toBe(new URL(upstream.url).host)
  })

  it('sends an absolute-form request target to the upstream as its path, never to the named host', async () => {
    const answer = await raw('GET http://evil.example/api/v1/machines?q=1 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n')
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK')
    expect(upstream.seen.map((s) => [s.url, s.headers.host])).toEqual([['/api/v1/machines?q=1', new URL(upstream.url).host]])
  })

  it('does not let .. segments or a Host header leave /api/v1', async () => {
    const dotted = await raw('GET /api/v1/../../admin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
    expect(dotted.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found')
    const encoded = await raw('GET /api/v1/%2e%2e/%2e%2e/admin HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n')
    expect(encoded.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found')
    expect(upstream.seen).toEqual([])
  })

  it("rewrites the upstream's Set-Cookie so a browser on http://localhost keeps it", async () => {
    upstream.handler = (_req, res) =>
      res.writeHead(200, { 'set-cookie': ['refresh_token=r2; Domain=api.haltless.io; Path=/api/v1/auth; Secure; HttpOnly; SameSite=Lax', 'other=1; domain=.haltless.io'] }).end('{}')
    const res = await t.api('/auth/refresh', { method: 'POST' })
    expect(res.headers.getSetCookie()).toEqual(['refresh_token=r2; Path=/api/v1/auth; HttpOnly; SameSite=Lax', 'other=1'])
  })
})

describe('proxy mode: faults on real traffic', () => {
  it('answers a pre-fault without calling the upstream', async () => {
    await fetch(`${t.url}/__mock/sessions/pre/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fault: { kind: 'service_unavailable' } }) })
    const res = await t.api('/machines', { headers: { 'X-Mock-Session': 'pre' } })
    expect([res.status, await res.json()]).toEqual([503, { detail: 'Service temporarily unavailable.' }])
    expect(upstream.seen).toEqual([])
  })

  it("applies a post-fault to the upstream's real answer", async () => {
    upstream.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[],"total":0}')
    await fetch(`${t.url}/__mock/sessions/post/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fault: { kind: 'malformed_body' } }) })
    const res = await t.api('/machines', { headers: { 'X-Mock-Session': 'post' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-mock-fault')).toBe('malformed_body')
    const text = await res.text()
    expect(text).not.toBe('{"items":[],"total":0}')
    expect(() => JSON.parse(text)).toThrow()
    expect(upstream.seen).toHaveLength(1)
  })
})

describe('proxy mode: upstream failures', () => {
  it('answers 504 Upstream timed out. once the clock passes --upstream-timeout', async () => {
    upstream.handler = () => {} // never answers
    const pending = t.api('/slow')
    await vi.waitFor(() => expect(upstream.seen).toHaveLength(1))
    t.clock.advance(5000)
    const res = await pending
    expect([res.status, res.headers.get('content-type'), await res.json()]).toEqual([504, 'application/json', { detail: 'Upstream timed out.' }])
  })
})

describe('proxy mode: drift detection', () => {
  it('records an answer that does not fit the route, without altering it', async () => {
    upstream.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x","name":"CNC"}')
    const res = await t.api('/machines/550e8400-e29b-41d4-a716-446655440000')
    expect(await res.text()).toBe('{"id":"x","name":"CNC"}')
    upstream.handler = (_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Gone."}')
    await (await t.api('/alerts/550e8400-e29b-41d4-a716-446655440000')).text()
    upstream.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"total_active":1,"critical_count":0,"warning_count":1,"info_count":0,"unacknowledged_count":1}')
    await (await t.api('/alerts/stats')).text()
    const drift = (await (await fetch(`${t.url}/__mock/drift`)).json()) as { enabled: boolean; findings: { kind: string; route: string; status: number; detail: string }[] }
    expect(drift.enabled).toBe(true)
    const rows = drift.findings.map((f) => [f.kind, f.route, f.status])
    expect(rows).toContainEqual(['schema_mismatch', '/api/v1/machines/{machine_id}', 200])
    expect(rows).toContainEqual(['unknown_error_detail', '/api/v1/alerts/{alert_id}', 404])
    expect(rows.filter((r) => r[1] === '/api/v1/alerts/stats')).toEqual([])
    expect(drift.findings.find((f) => f.kind === 'unknown_error_detail')!.detail).toBe('404 "Gone." is not in the catalog')
    const journal = (await (await fetch(`${t.url}/__mock/journal?limit=3`)).json()) as { path: string; drift: string[] }[]
    expect(journal.map((e) => e.drift.length > 0)).toEqual([true, true, false])
  })

  it('checks route and status on every answer, bodies on the first 100 per route and status and then 1 in 10', async () => {
    upstream.handler = (_req, res) => res.writeHead(418, { 'content-type': 'application/json' }).end('{"detail":"Gone."}')
    for (let i = 0; i < 130; i++) await (await t.api('/alerts/550e8400-e29b-41d4-a716-446655440000')).text()
    const drift = (await (await fetch(`${t.url}/__mock/drift`)).json()) as { answers: number; bodies_checked: number; sample_every: number; findings: { kind: string }[] }
    expect([drift.answers, drift.bodies_checked, drift.sample_every]).toEqual([130, 103, 10])
    const count = (kind: string) => drift.findings.filter((f) => f.kind === kind).length
    expect([count('unknown_status'), count('unknown_error_detail')]).toEqual([130, 103])
    const journal = (await (await fetch(`${t.url}/__mock/journal?limit=11`)).json()) as { drift: string[] }[]
    // answers 120 to 130: the 121st answer's body is sampled (n = 120), the others are not
    expect(journal.map((e) => e.drift.length)).toEqual([1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    await fetch(`${t.url}/__mock/drift`, { method: 'DELETE' })
    expect(await (await fetch(`${t.url}/__mock/drift`)).json()).toEqual({ enabled: true, answers: 0, bodies_checked: 0, sample_every: 10, findings: [] })
  })
})

describe('proxy mode: drift of repeated answers', () => {
  it('finds the same drift in a body with the same bytes as the last one checked, and looks again at a changed one', async () => {
    let body = '{"total_active":1,"critical_count":0,"warning_count":1,"info_count":0,"unacknowledged_count":1}'
    upstream.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    const kinds = async () => ((await (await fetch(`${t.url}/__mock/journal?limit=1`)).json()) as { drift: string[] }[])[0]!.drift
    await (await t.api('/alerts/stats')).text()
    await (await t.api('/alerts/stats')).text()
    expect(await kinds()).toEqual([])
    body = '{"total_active":"one"}'
    await (await t.api('/alerts/stats')).text()
    expect(await kinds()).toEqual(['schema_mismatch', 'schema_mismatch', 'schema_mismatch', 'schema_mismatch', 'schema_mismatch'])
    await (await t.api('/alerts/stats')).text()
    expect(await kinds()).toEqual(['schema_mismatch', 'schema_mismatch', 'schema_mismatch', 'schema_mismatch', 'schema_mismatch'])
    body = '{"total_active":2,"critical_count":0,"warning_count":2,"info_count":0,"unacknowledged_count":2}'
    await (await t.api('/alerts/stats')).text()
    expect(await kinds()).toEqual([])
    const drift = (await (await fetch(`${t.url}/__mock/drift`)).json()) as { answers: number; bodies_checked: number; findings: { id: number; kind: string; detail: string }[] }
    expect([drift.answers, drift.bodies_checked, drift.findings.length]).toEqual([5, 5, 10])
    expect(drift.findings.slice(0, 5)).toEqual(drift.findings.slice(5).map((f) => ({ ...f, id: f.id - 5 })))
  })
})

describe('proxy mode: health', () => {
  it('reports the mode', async () => {
    expect(((await (await fetch(`${t.url}/__mock/health`)).json()) as { mode: string }).mode).toBe('proxy')
  })
})
