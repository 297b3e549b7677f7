import { describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const cnc1 = demoId('machine:acme:CNC-001')
const cnc2 = demoId('machine:acme:CNC-002')
const glx = demoId('machine:globex:GLX-001')
const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)

describe('POST /ingest/opcua/sources', () => {
  const source = {
    machine_id: cnc2, endpoint_url: 'opc.tcp://10.0.4.21:4840/line1', security_mode: 'SignAndEncrypt', security_policy: 'Basic256Sha256',
    auth_type: 'username', username: 'haltless', password: 'opc-secret', poll_interval_seconds: 5, node_ids: ['ns=2;s=Spindle.Temperature', 'ns=2;i=1002'], enabled: true,
  }

  it('registers a source and echoes it without the password', async () => {
    const res = await t.api('/ingest/opcua/sources', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: source })
    expect(res.status).toBe(201)
    const { password: _, ...echoed } = source
    expect(await res.json()).toEqual({ ...echoed, id: uuid, created_at: '2026-04-04T10:30:00Z' })
  })

  it('fills the defaults', async () => {
    const res = await t.api('/ingest/opcua/sources', { method: 'POST', headers: await t.bearer('admin@acme.example'), json: { machine_id: cnc1, endpoint_url: 'opc.tcp://plc:4840', node_ids: ['ns=2;s=A'] } })
    expect(await res.json()).toEqual({
      id: uuid, machine_id: cnc1, endpoint_url: 'opc.tcp://plc:4840', security_mode: 'None', security_policy: null, auth_type: 'anonymous',
      username: null, poll_interval_seconds: 10, node_ids: ['ns=2;s=A'], enabled: true, created_at: '2026-04-04T10:30:00Z',
    })
  })

  it.each([
    ['an unknown machine', demoId('machine:acme:NOPE')],
    ['another tenant\'s machine', glx],
  ])('answers 404 for %s', async (_, machineId) => {
    const res = await t.api('/ingest/opcua/sources', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: { ...source, machine_id: machineId } })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Machine not found.' })
  })

  it.each([
    ['an http endpoint', { endpoint_url: 'http://plc:4840' }, { loc: ['body', 'endpoint_url'], msg: 'Value error, endpoint_url must start with opc.tcp://', type: 'value_error' }],
    ['a bad security mode', { security_mode: 'Encrypt' }, { loc: ['body', 'security_mode'], msg: "Input should be 'None', 'Sign' or 'SignAndEncrypt'", type: 'enum' }],
    ['a zero poll interval', { poll_interval_seconds: 0 }, { loc: ['body', 'poll_interval_seconds'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' }],
    ['a fractional poll interval', { poll_interval_seconds: 1.5 }, { loc: ['body', 'poll_interval_seconds'], msg: 'Input should be a valid integer, got a number with a fractional part', type: 'int_from_float' }],
    ['node_ids not a list', { node_ids: 'ns=2;s=A' }, { loc: ['body', 'node_ids'], msg: 'Input should be a valid list', type: 'list_type' }],
    ['a malformed machine_id', { machine_id: 'cnc-1' }, { loc: ['body', 'machine_id'], msg: 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 2', type: 'uuid_parsing' }],
  ])('answers 422 for %s', async (_, patch, item) => {
    const res = await t.api('/ingest/opcua/sources', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: { ...source, ...patch } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })

  it('refuses a viewer', async () => {
    const res = await t.api('/ingest/opcua/sources', { method: 'POST', headers: await t.bearer('viewer@acme.example'), json: source })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
  })
})

describe('GET /agent/heartbeat', () => {
  it('answers ok with the server time and records the key\'s last_used_at', async () => {
    const admin = await t.bearer('admin@acme.example')
    const key = await (await t.api('/settings/api-keys', { method: 'POST', headers: admin, json: { name: 'edge', scopes: 'edge_agent' } })).json()
    t.clock.advance(90_000)
    const res = await t.api('/agent/heartbeat', { headers: { 'X-API-Key': key.key } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok', server_time: '2026-04-04T10:31:30Z' })
    const listed = (await (await t.api('/settings/api-keys', { headers: admin })).json()).find((k: { id: string }) => k.id === key.id)
    expect(listed.last_used_at).toBe('2026-04-04T10:31:30Z')
  })

  it('answers 401 to a JWT (keys only)', async () => {
    const res = await t.api('/agent/heartbeat', { headers: await t.bearer('admin@acme.example') })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Not authenticated' })
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
  })

  it('answers 403 to a key without the agent scope', async () => {
    const key = await (await t.api('/settings/api-keys', { method: 'POST', headers: await t.bearer('admin@acme.example'), json: { name: 'ro', scopes: 'read_only' } })).json()
    const res = await t.api('/agent/heartbeat', { headers: { 'X-API-Key': key.key } })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'API key does not have the required scope: agent' })
  })

  it('answers 401 to an unknown key', async () => {
    const res = await t.api('/agent/heartbeat', { headers: { 'X-API-Key': 'hk_nothing' } })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Invalid API key.' })
  })

  it('accepts the demo key', async () => {
    expect((await t.api('/agent/heartbeat', { headers: { 'X-API-Key': demoApiKey } })).status).toBe(200)
  })
})

describe('POST /sensor-data/tag-mappings', () => {
  it('merges by tag into the machine\'s stored mappings and echoes them all', async () => {
    const headers = await t.bearer('operator@acme.example')
    const res = await t.api('/sensor-data/tag-mappings', { method: 'POST', headers, json: {
      machine_id: cnc1,
      mappings: [{ tag: 'ns=2;s=Spindle.Vibration', metric_name: 'spindle_vibration', unit: 'mm/s' }, { tag: 'ns=2;s=Coolant.Pressure', metric_name: 'coolant_pressure' }],
    } })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ machine_id: cnc1, mappings: [
      { tag: 'ns=2;s=Spindle.Temperature', metric_name: 'temperature', unit: 'celsius' },
      { tag: 'ns=2;s=Spindle.Vibration', metric_name: 'spindle_vibration', unit: 'mm/s' },
      { tag: 'ns=2;s=Coolant.Pressure', metric_name: 'coolant_pressure', unit: null },
    ] })
  })

  it('starts empty for a machine without mappings', async () => {
    const res = await t.api('/sensor-data/tag-mappings', { method: 'POST', headers: await t.bearer('admin@acme.example'), json: { machine_id: cnc2, mappings: [{ tag: '40001', metric_name: 'pressure', unit: 'psi' }] } })
    expect(await res.json()).toEqual({ machine_id: cnc2, mappings: [{ tag: '40001', metric_name: 'pressure', unit: 'psi' }] })
  })

  it('answers 404 for another tenant\'s machine', async () => {
    const res = await t.api('/sensor-data/tag-mappings', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: { machine_id: glx, mappings: [{ tag: 'a', metric_name: 'b' }] } })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Machine not found.' })
  })

  it.each([
    ['an empty list', { mappings: [] }, { loc: ['body', 'mappings'], msg: 'List should have at least 1 item after validation, not 0', type: 'too_short' }],
    ['501 mappings', { mappings: Array.from({ length: 501 }, (_, i) => ({ tag: `t${i}`, metric_name: 'm' })) }, { loc: ['body', 'mappings'], msg: 'List should have at most 500 items after validation, not 501', type: 'too_long' }],
    ['an item without metric_name', { mappings: [{ tag: 'a' }] }, { loc: ['body', 'mappings', 0, 'metric_name'], msg: 'Field required', type: 'missing' }],
  ])('answers 422 for %s', async (_, patch, item) => {
    const res = await t.api('/sensor-data/tag-mappings', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: { machine_id: cnc1, ...patch } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })

  it('refuses a viewer', async () => {
    const res = await t.api('/sensor-data/tag-mappings', { method: 'POST', headers: await t.bearer('viewer@acme.example'), json: { machine_id: cnc1, mappings: [{ tag: 'a', metric_name: 'b' }] } })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
  })
})
