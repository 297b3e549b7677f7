import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { useServer } from '../helpers.js'
import { useBareUpstream } from './upstream.js'
import type { MockServerOptions } from '../../src/server.js'

const upstream = useBareUpstream()
const dir = mkdtempSync(join(tmpdir(), 'haltless-mock-robust-'))
const record = join(dir, 'exchanges.jsonl')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('proxy mode under awkward traffic', () => {
  const options: MockServerOptions = { mode: 'proxy' }
  beforeAll(() => void (options.upstream = upstream.url))
  const t = useServer(options)
  beforeEach(() => {
    upstream.seen.length = 0
    upstream.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })

  it('scrubs X-Mock-* also when more requests wait than the agent has sockets', async () => {
    const held: (() => void)[] = []
    upstream.handler = (_req, res) => {
      held.push(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'))
      if (held.length === 256) for (const release of held.splice(0)) release()
      else if (upstream.seen.length > 256) for (const release of held.splice(0)) release()
    }
    const answers = await Promise.all(Array.from({ length: 300 }, () => t.api('/many', { headers: { 'X-Mock-Session': 'crowd' } }).then((r) => r.status)))
    expect(answers.every((s) => s === 200)).toBe(true)
    expect(upstream.seen).toHaveLength(300)
    expect(upstream.seen.filter((s) => 'x-mock-session' in s.headers)).toEqual([])
  })

  it('scrubs a request sent with Expect: 100-continue, and Prefer code= as a parameter', async () => {
    const { port } = new URL(t.url)
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port, path: '/api/v1/things', method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': 2, expect: '100-continue', 'x-mock-admin-token': 'secret-token', prefer: 'return=minimal; code=500' },
      }, (res) => (res.resume(), resolve(res.statusCode ?? 0)))
      req.on('continue', () => req.end('{}'))
      req.on('error', reject)
    })
    expect(status).toBe(200)
    const seen = upstream.seen[0]!
    expect(seen.headers['x-mock-admin-token']).toBeUndefined()
    expect(seen.headers.prefer).toBe('return=minimal')
    expect(seen.body).toBe('{}')
  })

  it('survives an upstream answering JSON null, and records it as drift', async () => {
    upstream.handler = (_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('null')
    const res = await t.api('/alerts/550e8400-e29b-41d4-a716-446655440000')
    expect([res.status, await res.text()]).toEqual([404, 'null'])
    const drift = (await (await fetch(`${t.url}/__mock/drift`)).json()) as { findings: { kind: string; detail: string }[] }
    expect(drift.findings.at(-1)).toMatchObject({ kind: 'schema_mismatch', detail: '404 body is not a JSON object' })
    expect((await fetch(`${t.url}/__mock/health`)).status).toBe(200)
  })

  it('checks a gzip answer after decoding it', async () => {
    const stats = { total_active: 1, critical_count: 0, warning_count: 1, info_count: 0, unacknowledged_count: 1 }
    upstream.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(JSON.stringify(stats)))
    const before = ((await (await fetch(`${t.url}/__mock/drift`)).json()) as { findings: unknown[] }).findings.length
    const res = await t.api('/alerts/stats')
    expect(await res.json()).toEqual(stats)
    expect(((await (await fetch(`${t.url}/__mock/drift`)).json()) as { findings: unknown[] }).findings).toHaveLength(before)
  })

  it('cuts the client off (instead of hanging) when the upstream dies mid-answer', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 })
      res.write('{"a":')
      res.socket?.destroy()
    }
    // before anything reached the client it is the 502; after, the connection is cut: never a hang
    const outcome = await t.api('/dies').then(async (r) => `${r.status} ${await r.text()}`, () => 'cut')
    expect(['cut', '502 {"detail":"Upstream unavailable."}']).toContain(outcome)
  })

  it('gives up the upstream request when its client goes away', async () => {
    let upstreamClosed = false
    upstream.handler = (req) => req.socket.once('close', () => (upstreamClosed = true))
    const abort = new AbortController()
    const pending = t.api('/hangs', { signal: abort.signal }).catch(() => 'aborted')
    await vi.waitFor(() => expect(upstream.seen).toHaveLength(1))
    abort.abort()
    expect(await pending).toBe('aborted')
    await vi.waitFor(() => expect(upstreamClosed).toBe(true))
  })
})

describe('hybrid mode and percent-encoded paths', () => {
  const options: MockServerOptions = { mode: 'hybrid', mockRoutes: ['GET /api/v1/machines'] }
  beforeAll(() => void (options.upstream = upstream.url))
  const t = useServer(options)

  it('sends an encoded spelling of a --mock-route path to the emulator, like the plain one', async () => {
    upstream.seen.length = 0
    for (const path of ['/machines', '/m%61chines']) {
      const res = await t.api(path)
      expect([res.status, await res.json()]).toEqual([401, { detail: 'Not authenticated' }])
    }
    expect(upstream.seen).toEqual([])
  })
})

describe('recording redaction beyond JSON bodies', () => {
  const options: MockServerOptions = { mode: 'proxy', record }
  beforeAll(() => void (options.upstream = upstream.url))
  const t = useServer(options)

  it('redacts JSON sent as text/plain, form fields, query parameters and ERP auth_config', async () => {
    upstream.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    await t.api('/auth/login', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"email":"a@b.example","password":"PLAIN-PW"}' })
    await t.api('/form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=a&password=FORM-PW' })
    await t.api('/erp/connections?token=QUERY-TOKEN&page=2', { method: 'POST', json: { name: 'SAP', auth_config: { client_secret: 'CS', api_key: 'AK' } } })
    const text = readFileSync(record, 'utf8')
    for (const secret of ['PLAIN-PW', 'FORM-PW', 'QUERY-TOKEN', '"CS"', '"AK"']) expect(text).not.toContain(secret)
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { path: string; query: string; request: { body: unknown } })
    expect(lines.map((l) => [l.path, l.query, l.request.body])).toEqual([
      ['/api/v1/auth/login', '', { email: 'a@b.example', password: '[redacted]' }],
      ['/api/v1/form', '', 'username=a&password=%5Bredacted%5D'],
      ['/api/v1/erp/connections', '?token=%5Bredacted%5D&page=2', { name: 'SAP', auth_config: '[redacted]' }],
    ])
  })
})
