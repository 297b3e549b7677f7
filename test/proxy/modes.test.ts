import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { demoApiKey, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'
import { useBareUpstream } from './upstream.js'
import { resolveConfig } from '../../src/config.js'
import type { MockServerOptions } from '../../src/server.js'

describe('proxy mode in front of the emulator itself', () => {
  const real = useServer()
  const dir = mkdtempSync(join(tmpdir(), 'haltless-mock-record-'))
  const record = join(dir, 'exchanges.jsonl')
  const options: MockServerOptions = { mode: 'proxy', record }
  beforeAll(() => void (options.upstream = real.url))
  const proxy = useServer(options)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('answers exactly as the upstream does: login, then the machine list with the token', async () => {
    const login = await proxy.api('/auth/login', { method: 'POST', json: { email: 'admin@acme.example', password: 'Haltless-Demo-1' } })
    expect(login.status).toBe(200)
    const { access_token: token } = (await login.json()) as { access_token: string }
    const via = await proxy.api('/machines', { headers: { Authorization: `Bearer ${token}` } })
    const direct = await real.api('/machines', { headers: { Authorization: `Bearer ${token}` } })
    expect(via.status).toBe(200)
    expect(await via.text()).toBe(await direct.text())
    expect(((await (await fetch(`${proxy.url}/__mock/drift`)).json()) as { findings: unknown[] }).findings).toEqual([])
  })

  it("carries the dashboard WebSocket to the upstream's", async () => {
    const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}/api/v1/ws/dashboard`, { headers: { 'X-Mock-Session': 'ws' } })
    const frames: { type: string }[] = []
    ws.on('message', (m) => frames.push(JSON.parse(String(m)) as { type: string }))
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
    ws.send((await real.login('viewer@acme.example')).token)
    const listeners = () => (real.server.deps.events as unknown as { listeners: Set<unknown> }).listeners.size
    await vi.waitFor(() => expect(listeners()).toBe(1))
    await proxy.api('/ingest', {
      method: 'POST', headers: { 'X-API-Key': demoApiKey },
      json: { readings: [{ machine_identifier: 'CNC-002', timestamp: '2026-04-04T10:30:00Z', metric_name: 'temperature', value: 60, unit: 'celsius' }] },
    })
    await vi.waitFor(() => expect(frames.map((f) => f.type)).toContain('sensor_update'))
    ws.terminate()
  })

  it('applies partial_batch to real ingestion: the upstream stores the kept readings, the client sees the merged 207', async () => {
    await fetch(`${proxy.url}/__mock/sessions/batch/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fault: { kind: 'partial_batch', indexes: [1] } }) })
    const reading = (value: number) => ({ machine_identifier: 'PRESS-01', timestamp: '2026-04-04T10:30:00Z', metric_name: 'pressure', value, unit: 'psi' })
    const res = await proxy.api('/ingest', { method: 'POST', headers: { 'X-API-Key': demoApiKey, 'X-Mock-Session': 'batch' }, json: { readings: [reading(1), reading(2), reading(3)] } })
    expect([res.status, await res.json()]).toEqual([207, { accepted_count: 2, rejected_count: 1, errors: [{ index: 1, machine_identifier: 'PRESS-01', error: 'Value must be finite' }] }])
    const latest = (await (await real.api('/machines/' + demoId('machine:acme:PRESS-01') + '/readings/latest', { headers: { 'X-API-Key': demoApiKey } })).json()) as { readings: { metric_name: string; value: number }[] }
    expect(latest.readings.find((r) => r.metric_name === 'pressure')?.value).toBe(3)
  })

  it('records each exchange as a JSON line with every secret redacted', async () => {
    await proxy.api('/settings/api-keys', { method: 'POST', headers: await real.bearer('admin@acme.example'), json: { name: 'recorded' } })
    const lines = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>)
    const login = lines.find((l) => l.path === '/api/v1/auth/login')!
    expect(login.request.body).toEqual({ email: 'admin@acme.example', password: '[redacted]' })
    expect(login.response.body).toEqual({ access_token: '[redacted]', token_type: 'bearer', mfa_required: false })
    expect(login.response.headers['set-cookie']).toEqual(['[redacted]'])
    const list = lines.find((l) => l.path === '/api/v1/machines')!
    expect(list.request.headers.authorization).toBe('[redacted]')
    expect(list.response.status).toBe(200)
    const created = lines.find((l) => l.path === '/api/v1/settings/api-keys')!
    expect(created.response.status).toBe(201)
    expect(created.response.body).toMatchObject({ name: 'recorded', key: '[redacted]', plaintext_key: '[redacted]' })
    expect(JSON.stringify(lines)).not.toMatch(/hk_[A-Za-z0-9]{20,}|eyJ[\w-]+\.eyJ/)
  })
})

describe('hybrid mode', () => {
  const upstream = useBareUpstream()
  const options: MockServerOptions = { mode: 'hybrid', mockRoutes: ['POST /api/v1/ingest', '* /api/v1/machines/**'] }
  beforeAll(() => void (options.upstream = upstream.url))
  const t = useServer(options)

  it('answers --mock-route routes from the emulator and forwards the rest', async () => {
    upstream.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"upstream"}')
    const ingested = await t.api('/ingest', {
      method: 'POST', headers: { 'X-API-Key': demoApiKey },
      json: { readings: [{ machine_identifier: 'CNC-001', timestamp: '2026-04-04T10:30:00Z', metric_name: 'temperature', value: 70, unit: 'celsius' }] },
    })
    expect([ingested.status, await ingested.json()]).toEqual([207, { accepted_count: 1, rejected_count: 0, errors: [] }])
    const latest = await t.api('/machines/00000000-0000-4000-8000-000000000000/readings/latest', { headers: { 'X-API-Key': demoApiKey } })
    expect([latest.status, await latest.json()]).toEqual([404, { detail: 'Machine not found.' }])
    const alerts = await t.api('/alerts')
    expect(await alerts.json()).toEqual({ from: 'upstream' })
    expect(upstream.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /api/v1/alerts'])
  })

  it('lets a scenario rule choose the backend (serve: mock / upstream) over --mock-route', async () => {
    upstream.seen.length = 0
    upstream.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"upstream"}')
    const activated = await fetch(`${t.url}/__mock/sessions/serve/scenarios`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario: { name: 'split', rules: [
        { match: { path: '/api/v1/alerts/stats' }, serve: 'mock' },
        { match: { path: '/api/v1/machines/**' }, serve: 'upstream' },
      ] } }),
    })
    expect(activated.status).toBe(201)
    const session = { 'X-Mock-Session': 'serve', 'X-API-Key': demoApiKey }
    const stats = await t.api('/alerts/stats', { headers: session })
    expect([stats.status, stats.headers.get('x-mock-fault'), await stats.json()]).toEqual([401, null, { detail: 'Not authenticated' }])
    const machine = await t.api('/machines/00000000-0000-4000-8000-000000000000/readings/latest', { headers: session })
    expect(await machine.json()).toEqual({ from: 'upstream' })
    expect(upstream.seen.map((s) => s.url)).toEqual(['/api/v1/machines/00000000-0000-4000-8000-000000000000/readings/latest'])
  })
})

describe('a dead upstream', () => {
  const options: MockServerOptions = { mode: 'proxy', upstream: 'http://127.0.0.1:9' }
  const t = useServer(options)

  it("answers 502 Upstream unavailable. in the API's format", async () => {
    const res = await t.api('/machines')
    expect([res.status, res.headers.get('content-type'), await res.json()]).toEqual([502, 'application/json', { detail: 'Upstream unavailable.' }])
    const journal = (await (await fetch(`${t.url}/__mock/journal`)).json()) as { status: number }[]
    expect(journal.map((e) => e.status)).toEqual([502])
  })
})

describe('proxy settings', () => {
  it.each([
    [{ mode: 'mirror' }, '--mode must be mock, proxy or hybrid (got "mirror")'],
    [{ upstream: 'ftp://x' }, '--upstream must be an http:// or https:// URL without query or fragment (got "ftp://x")'],
    [{ mockRoutes: ['ingest'] }, '--mock-route must be "METHOD /path" (METHOD or *, path with * wildcards) (got ["ingest"])'],
    [{ upstreamTimeoutMs: '0' }, '--upstream-timeout must be an integer from 1 to 3600000 (got "0")'],
  ])('refuses %j', (flags, message) => {
    expect(() => resolveConfig({ flags })).toThrow(message)
  })
})
