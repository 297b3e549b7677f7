import { afterEach, describe, expect, it, vi } from 'vitest'
import { createConnection } from 'node:net'
import { WebSocket } from 'ws'
import { demoApiKey, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'
import { alertRules } from '../../src/store/tables.js'
import { dashboardSocketSettings } from '../../src/api/dashboard-socket.js'

const t = useServer()
const machineId = demoId('machine:acme:CNC-001')
const open: WebSocket[] = []

/** A socket on the dashboard path with its received frames and its close code. */
async function connect() {
  const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/ws/dashboard`)
  open.push(ws)
  const frames: Record<string, unknown>[] = []
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>))
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
  return { ws, frames, closed }
}

/** Sends raw bytes, resolves the raw answer once the server closes. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(Number(new URL(t.url).port), '127.0.0.1')
    let out = ''
    socket.on('data', (d) => (out += d.toString('utf8')))
    socket.on('close', () => resolve(out))
    socket.on('error', reject)
    socket.write(bytes)
  })
}

/** A socket authenticated as `email`; resolves once the server has subscribed it. */
const listeners = () => (t.server.deps.events as unknown as { listeners: Set<unknown> }).listeners.size
async function authenticated(email: string) {
  const before = listeners()
  const socket = await connect()
  socket.ws.send((await t.login(email)).token)
  await vi.waitFor(() => expect(listeners()).toBe(before + 1))
  return socket
}

const ingest = (value: number, metric = 'temperature') =>
  t.api('/ingest', {
    method: 'POST', headers: { 'X-API-Key': demoApiKey },
    json: { readings: [{ machine_identifier: 'CNC-001', timestamp: new Date(t.clock.now()).toISOString(), metric_name: metric, value, unit: 'celsius' }] },
  })

afterEach(async () => {
  for (const ws of open.splice(0)) ws.terminate()
  await vi.waitFor(() => expect(listeners()).toBe(0))
  t.server.reset()
})

describe('WebSocket /api/v1/ws/dashboard', () => {
  it('pushes sensor_update for an ingested reading to the tenant, type first', async () => {
    const { frames } = await authenticated('viewer@acme.example')
    expect((await ingest(71.5)).status).toBe(207)
    await vi.waitFor(() => expect(frames.length).toBeGreaterThan(0))
    expect(frames[0]).toEqual({ type: 'sensor_update', machine_id: machineId, metric_name: 'temperature', value: 71.5, unit: 'celsius', timestamp: '2026-04-04T10:30:00Z' })
    expect(Object.keys(frames[0]!)[0]).toBe('type')
  })

  it('pushes alert and machine_status once a reading crosses a rule threshold', async () => {
    const { store, clock } = t.server.deps
    alertRules(store).add({
      id: store.id(), tenant_id: demoId('tenant:acme'), name: 'Overheat', machine_id: machineId, metric_name: 'temperature',
      operator: 'gt', threshold: 85, severity: 'critical', duration_seconds: 0, is_active: true, created_at: clock.now(), updated_at: clock.now(),
    })
    const { frames } = await authenticated('admin@acme.example')
    await ingest(87.3)
    await vi.waitFor(() => expect(frames.map((f) => f.type)).toContain('alert'))
    const alert = frames.find((f) => f.type === 'alert')!
    expect(alert).toEqual({
      type: 'alert', alert_id: expect.any(String), machine_id: machineId, severity: 'critical',
      message: 'Temperature exceeded 85°C threshold', metric_value: 87.3, threshold_value: 85, created_at: '2026-04-04T10:30:00Z',
    })
    await vi.waitFor(() => expect(frames.map((f) => f.type)).toContain('machine_status'))
    expect(frames.find((f) => f.type === 'machine_status')).toEqual({
      type: 'machine_status', machine_id: machineId, old_status: 'healthy', new_status: 'critical', timestamp: '2026-04-04T10:30:00Z',
    })
  })

  it("never sends another tenant's events", async () => {
    const globex = await authenticated('admin@globex.example')
    const acme = await authenticated('admin@acme.example')
    await ingest(70)
    await vi.waitFor(() => expect(acme.frames.length).toBeGreaterThan(0))
    expect(globex.frames).toEqual([])
  })

  it('sends a heartbeat every 30 s of clock time after authentication', async () => {
    const { frames } = await authenticated('viewer@acme.example')
    t.clock.advance(dashboardSocketSettings.heartbeatMs)
    await vi.waitFor(() => expect(frames).toHaveLength(1))
    expect(frames[0]).toEqual({ type: 'heartbeat', server_time: '2026-04-04T10:30:30Z' })
  })

  it('closes with 4001 on an invalid token', async () => {
    const { ws, closed } = await connect()
    ws.send('not-a-token')
    expect(await closed).toEqual({ code: 4001, reason: 'Invalid or expired token' })
  })

  it('closes with 4001 on an expired token', async () => {
    const token = (await t.login('viewer@acme.example')).token
    t.clock.advance(24 * 3600_000)
    const { ws, closed } = await connect()
    ws.send(token)
    expect((await closed).code).toBe(4001)
  })

  it('closes with 4002 when no token arrives within the auth timeout', async () => {
    const { closed } = await connect()
    t.clock.advance(dashboardSocketSettings.authTimeoutMs)
    expect(await closed).toEqual({ code: 4002, reason: 'Authentication timeout' })
  })

  it('closes with 4003 past 10 unauthenticated connections from one IP', async () => {
    for (let i = 0; i < dashboardSocketSettings.maxPendingPerIp; i++) await connect()
    const { closed } = await connect()
    expect(await closed).toEqual({ code: 4003, reason: 'Too many unauthenticated connections' })
  })

  it("closes a lapsed subscription's socket with 1008 and the 402 text", async () => {
    const { ws, closed } = await connect()
    ws.send((await t.login('admin@initech.example')).token)
    expect(await closed).toEqual({ code: 1008, reason: 'Subscription inactive. Please update your billing information.' })
  })

  it('serves any other upgrade request as plain HTTP (curl --http2 asks every request to become h2c)', async () => {
    const res = await raw(`GET /api/v1/machines?page_size=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nX-API-Key: ${demoApiKey}\r\n\r\n`)
    expect(res.split('\r\n')[0]).toBe('HTTP/1.1 200 OK')
    expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4))).toMatchObject({ total: 4, page_size: 1 })
  })

  it('answers a handshake ws refuses (no Sec-WebSocket-Key) with 400 in the API format', async () => {
    const res = await raw('GET /api/v1/ws/dashboard HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')
    expect(res.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request')
    expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4))).toEqual({ detail: 'Bad request.' })
  })

  it('answers 404 to an upgrade on another path', async () => {
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/ws/other`)
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))
    expect(status).toBe(404)
  })
})
