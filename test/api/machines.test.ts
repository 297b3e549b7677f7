import { describe, expect, it } from 'vitest'
import { useServer, demoApiKey } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()

describe('GET /machines', () => {
  it('lists the demo machines of the caller\'s tenant in the pagination envelope', async () => {
    const res = await t.api('/machines', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({ total: 4, page: 1, page_size: 20, total_pages: 1 })
    expect(body.items.map((m: { machine_identifier: string }) => m.machine_identifier)).toEqual(['CNC-001', 'CNC-002', 'ROBOT-07', 'PRESS-01'].sort((a, b) => nameOf(a).localeCompare(nameOf(b))))
    expect(body.items[0]).toEqual({
      id: demoId('machine:acme:CNC-001'), name: 'CNC Mill #1', machine_identifier: 'CNC-001', status: 'healthy',
      protocol: 'opc_ua', location: 'Building A, Line 1', created_at: '2026-01-05T08:00:00Z',
    })
  })

  it('accepts the demo API key with scope read:machines', async () => {
    const res = await t.api('/machines?page_size=2&page=2', { headers: { 'X-API-Key': demoApiKey } })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ total: 4, page: 2, page_size: 2, total_pages: 2 })
  })

  it('filters by search, status and sorts', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const search = await (await t.api('/machines?search=cnc&sort_by=machine_identifier&sort_dir=desc', { headers })).json()
    expect(search.items.map((m: { machine_identifier: string }) => m.machine_identifier)).toEqual(['CNC-002', 'CNC-001'])
    const warning = await (await t.api('/machines?status=warning', { headers })).json()
    expect(warning.items.map((m: { machine_identifier: string }) => m.machine_identifier)).toEqual(['CNC-002'])
  })

  it('answers a page past the end with no items', async () => {
    const res = await t.api('/machines?page=9', { headers: await t.bearer('viewer@acme.example') })
    expect(await res.json()).toEqual({ items: [], total: 4, page: 9, page_size: 20, total_pages: 1 })
  })

  it.each([
    ['page_size=101', { loc: ['query', 'page_size'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' }],
    ['page_size=0', { loc: ['query', 'page_size'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' }],
    ['page=0', { loc: ['query', 'page'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' }],
    ['page=abc', { loc: ['query', 'page'], msg: 'Input should be a valid integer, unable to parse string as an integer', type: 'int_parsing' }],
    ['status=broken', { loc: ['query', 'status'], msg: "Input should be 'healthy', 'warning', 'critical' or 'offline'", type: 'enum' }],
    ['sort_by=color', { loc: ['query', 'sort_by'], msg: "Input should be 'name', 'machine_identifier', 'status' or 'created_at'", type: 'enum' }],
    [`search=${'x'.repeat(201)}`, { loc: ['query', 'search'], msg: 'String should have at most 200 characters', type: 'string_too_long' }],
  ])('answers 422 for %s', async (query, item) => {
    const res = await t.api(`/machines?${query}`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })
})

describe('machine lifecycle', () => {
  it('creates, reads, patches and soft-deletes a machine; the identifier can then be reused', async () => {
    const headers = await t.bearer('operator@acme.example')
    const created = await t.api('/machines', { method: 'POST', headers, json: { name: 'Lathe', machine_identifier: 'LATHE-9', protocol: 'json' } })
    expect(created.status).toBe(201)
    const machine = await created.json()
    expect(machine).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      name: 'Lathe', machine_identifier: 'LATHE-9', protocol: 'json', location: null, status: 'offline',
      tenant_id: demoId('tenant:acme'), is_active: true, created_at: '2026-04-04T10:30:00Z', updated_at: '2026-04-04T10:30:00Z',
    })
    expect(await (await t.api(`/machines/${machine.id}`, { headers })).json()).toEqual(machine)

    t.clock.advance(5_000)
    const patched = await t.api(`/machines/${machine.id}`, { method: 'PATCH', headers, json: { location: 'Hall 2', name: 'Lathe 9' } })
    expect(patched.status).toBe(200)
    expect(await patched.json()).toEqual({ ...machine, location: 'Hall 2', name: 'Lathe 9', updated_at: '2026-04-04T10:30:05Z' })

    const deleted = await t.api(`/machines/${machine.id}`, { method: 'DELETE', headers })
    expect(deleted.status).toBe(204)
    expect(await deleted.text()).toBe('')
    const gone = await t.api(`/machines/${machine.id}`, { headers })
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ detail: 'Machine not found.' })
    const again = await t.api('/machines', { method: 'POST', headers, json: { name: 'Lathe', machine_identifier: 'LATHE-9', protocol: 'json' } })
    expect(again.status).toBe(201)
  })

  it('answers 409 for a duplicate identifier on create and on patch', async () => {
    const headers = await t.bearer('admin@acme.example')
    const dup = await t.api('/machines', { method: 'POST', headers, json: { name: 'Copy', machine_identifier: 'CNC-001', protocol: 'json' } })
    expect(dup.status).toBe(409)
    expect(await dup.json()).toEqual({ detail: 'A machine with this identifier already exists for this tenant.' })
    const patch = await t.api(`/machines/${demoId('machine:acme:CNC-002')}`, { method: 'PATCH', headers, json: { machine_identifier: 'CNC-001' } })
    expect(patch.status).toBe(409)
    expect(await patch.json()).toEqual({ detail: 'A machine with this identifier already exists for this tenant.' })
  })

  it('lets another tenant reuse an identifier (unique per tenant only)', async () => {
    const res = await t.api('/machines', { method: 'POST', headers: await t.bearer('admin@globex.example'), json: { name: 'G', machine_identifier: 'CNC-001', protocol: 'csv' } })
    expect(res.status).toBe(201)
  })

  it('hides another tenant\'s machine behind 404 Machine not found.', async () => {
    const headers = await t.bearer('admin@globex.example')
    const acmeMachine = demoId('machine:acme:CNC-001')
    for (const [method, json] of [['GET', undefined], ['PATCH', { name: 'x' }], ['DELETE', undefined]] as const) {
      const res = await t.api(`/machines/${acmeMachine}`, { method, headers, json })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ detail: 'Machine not found.' })
    }
    const key = await t.api(`/machines/${acmeMachine}`, { headers: { 'X-API-Key': 'hk_demoglobex0000000000000000000000' } })
    expect(key.status).toBe(404)
  })

  it('answers 422 with pydantic items for a bad body', async () => {
    const headers = await t.bearer('admin@acme.example')
    const res = await t.api('/machines', { method: 'POST', headers, json: { name: '', protocol: 'ftp', location: 'x'.repeat(256) } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      detail: [
        { loc: ['body', 'name'], msg: 'String should have at least 1 character', type: 'string_too_short' },
        { loc: ['body', 'machine_identifier'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'protocol'], msg: "Input should be 'opc_ua', 'modbus_tcp', 'csv' or 'json'", type: 'enum' },
        { loc: ['body', 'location'], msg: 'String should have at most 255 characters', type: 'string_too_long' },
      ],
    })
  })

  it('answers 422 uuid_parsing for a malformed machine id', async () => {
    const res = await t.api('/machines/not-a-uuid', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      detail: [{ loc: ['path', 'machine_id'], msg: 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1', type: 'uuid_parsing' }],
    })
  })
})

function nameOf(identifier: string): string {
  return { 'CNC-001': 'CNC Mill #1', 'CNC-002': 'CNC Mill #2', 'PRESS-01': 'Hydraulic Press', 'ROBOT-07': 'Welding Robot 7' }[identifier]!
}
