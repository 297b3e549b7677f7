import { describe, expect, it } from 'vitest'
import { resetBeforeEach, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const at = resetBeforeEach(t)
const hour = 3_600_000
const day = 24 * hour

const acme = demoId('tenant:acme')
const admin = demoId('user:admin@acme.example')
const operator = demoId('user:operator@acme.example')
const cnc1 = demoId('machine:acme:CNC-001')
const completedOrder = () => ({
  id: demoId('work-order:acme:1'), tenant_id: acme, machine_id: demoId('machine:acme:CNC-002'), title: 'Replace spindle bearing',
  description: 'Spindle vibration trending above 4 mm/s; replace the front bearing.', priority: 'high', status: 'completed',
  assigned_to: operator, created_by: admin, created_at: at(-3 * day), updated_at: at(-day), completed_at: at(-day),
})
const openOrder = () => ({
  id: demoId('work-order:acme:2'), tenant_id: acme, machine_id: demoId('machine:acme:PRESS-01'), title: 'Inspect hydraulic hoses',
  description: null, priority: 'medium', status: 'open', assigned_to: null, created_by: admin,
  created_at: at(-2 * hour), updated_at: at(-2 * hour), completed_at: null,
})
const inProgressOrder = () => ({
  id: demoId('work-order:acme:3'), tenant_id: acme, machine_id: demoId('machine:acme:ROBOT-07'), title: 'Recalibrate welding torch',
  description: 'Seam offset of 0.4 mm reported by quality.', priority: 'critical', status: 'in_progress', assigned_to: operator,
  created_by: operator, created_at: at(-day), updated_at: at(-6 * hour), completed_at: null,
})
const globexOrder = demoId('work-order:globex:1')

const create = async (json: Record<string, unknown> = {}) => {
  const res = await t.api('/work-orders', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: { machine_id: cnc1, title: 'Replace belt', ...json } })
  expect(res.status).toBe(201)
  return (await res.json()) as { id: string } & Record<string, unknown>
}
const patch = async (id: string, json: unknown, email = 'operator@acme.example') =>
  t.api(`/work-orders/${id}`, { method: 'PATCH', headers: await t.bearer(email), json })
const auditOf = () => t.server.deps.store.audit.get(acme)!.filter((e) => e.resource_type === 'work_order').map((e) => ({ action: e.action, resource_type: e.resource_type, resource_id: e.resource_id, details: e.details }))

describe('GET /work-orders', () => {
  it("lists the tenant's work orders newest first in the pagination envelope", async () => {
    const res = await t.api('/work-orders', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ items: [openOrder(), inProgressOrder(), completedOrder()], total: 3, page: 1, page_size: 20, total_pages: 1 })
  })

  it.each([
    ['status=in_progress', () => [inProgressOrder()]],
    [`machine_id=${demoId('machine:acme:PRESS-01')}`, () => [openOrder()]],
    ['page_size=2&page=2', () => [completedOrder()]],
  ])('filters by %s', async (query, items) => {
    const body = await (await t.api(`/work-orders?${query}`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(body.items).toEqual(items())
  })

  it('answers 422 for an unknown status filter', async () => {
    const res = await t.api('/work-orders?status=closed', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['query', 'status'], msg: "Input should be 'open', 'in_progress', 'completed' or 'cancelled'", type: 'enum' }] })
  })
})

describe('work order lifecycle', () => {
  it('creates an open work order with defaults and audits it', async () => {
    const order = await create()
    expect(order).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), tenant_id: acme, machine_id: cnc1, title: 'Replace belt', description: null,
      priority: 'medium', status: 'open', assigned_to: null, created_by: operator,
      created_at: at(), updated_at: at(), completed_at: null,
    })
    expect(await (await t.api(`/work-orders/${order.id}`, { headers: await t.bearer('viewer@acme.example') })).json()).toEqual(order)
    expect(auditOf().at(-1)).toEqual({ action: 'create_work_order', resource_type: 'work_order', resource_id: order.id, details: { title: 'Replace belt', machine_id: cnc1, priority: 'medium' } })
  })

  it('follows open → in_progress → completed, stamping completed_at, and audits each update', async () => {
    const order = await create({ priority: 'high', description: 'Worn belt', assigned_to: operator })
    t.clock.advance(60_000)
    const started = await patch(order.id, { status: 'in_progress', title: 'Replace drive belt' })
    expect(started.status).toBe(200)
    expect(await started.json()).toEqual({ ...order, status: 'in_progress', title: 'Replace drive belt', updated_at: at(60_000) })
    t.clock.advance(60_000)
    const done = await patch(order.id, { status: 'completed' })
    expect(await done.json()).toEqual({ ...order, status: 'completed', title: 'Replace drive belt', updated_at: at(120_000), completed_at: at(120_000) })
    expect(auditOf().slice(-2)).toEqual([
      { action: 'update_work_order', resource_type: 'work_order', resource_id: order.id, details: { status: 'in_progress', title: 'Replace drive belt' } },
      { action: 'update_work_order', resource_type: 'work_order', resource_id: order.id, details: { status: 'completed' } },
    ])
  })

  it.each([
    ['open', 'completed'],
    ['completed', 'in_progress'],
    ['completed', 'open'],
    ['completed', 'cancelled'],
    ['cancelled', 'open'],
    ['cancelled', 'in_progress'],
    ['in_progress', 'open'],
  ])('refuses %s → %s with 400 Invalid status transition.', async (from, to) => {
    const id = { open: openOrder().id, in_progress: inProgressOrder().id, completed: completedOrder().id, cancelled: '' }[from]!
    const order = id || (await create()).id
    if (from === 'cancelled') expect((await patch(order, { status: 'cancelled' })).status).toBe(200)
    const res = await patch(order, { status: to, title: 'Not applied' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ detail: 'Invalid status transition.' })
    expect((await (await t.api(`/work-orders/${order}`, { headers: await t.bearer('viewer@acme.example') })).json()).title).not.toBe('Not applied')
  })

  it.each([['open'], ['in_progress']])('cancels from %s without a completed_at', async (from) => {
    const order = from === 'open' ? openOrder() : inProgressOrder()
    const res = await patch(order.id, { status: 'cancelled' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ...order, status: 'cancelled', updated_at: at() })
  })

  it('treats the current status sent again as no change', async () => {
    const res = await patch(completedOrder().id, { status: 'completed', priority: 'low' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ...completedOrder(), priority: 'low', updated_at: at() })
  })

  it('assigns and unassigns a user of the tenant', async () => {
    const assigned = await patch(openOrder().id, { assigned_to: admin })
    expect((await assigned.json()).assigned_to).toBe(admin)
    const cleared = await patch(openOrder().id, { assigned_to: null })
    expect((await cleared.json()).assigned_to).toBeNull()
  })

  it('deletes a work order with its comments', async () => {
    const headers = await t.bearer('operator@acme.example')
    const res = await t.api(`/work-orders/${completedOrder().id}`, { method: 'DELETE', headers })
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    for (const path of ['', '/comments', '/signoffs']) {
      const gone = await t.api(`/work-orders/${completedOrder().id}${path}`, { headers })
      expect(gone.status).toBe(404)
      expect(await gone.json()).toEqual({ detail: 'Work order not found.' })
    }
    expect(t.server.deps.store.table('work_order_comments').of(acme, (c) => (c as unknown as { work_order_id: string }).work_order_id === completedOrder().id)).toEqual([])
    expect(t.server.deps.store.table('signoffs').of(acme)).toEqual([])
  })
})

describe('work order refusals', () => {
  it.each([
    ['POST', '/work-orders', { machine_id: cnc1, title: 'x' }],
    ['PATCH', `/work-orders/${openOrder().id}`, { status: 'in_progress' }],
    ['DELETE', `/work-orders/${openOrder().id}`, undefined],
  ])('%s %s refuses a viewer with 403', async (method, path, json) => {
    const res = await t.api(path, { method, headers: await t.bearer('viewer@acme.example'), json })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
  })

  it.each([
    ['GET', ''], ['PATCH', ''], ['DELETE', ''], ['GET', '/comments'], ['POST', '/comments'],
  ])("%s %s answers 404 for another tenant's work order", async (method, suffix) => {
    const json = method === 'PATCH' ? { title: 'x' } : method === 'POST' ? { body: 'x' } : undefined
    const res = await t.api(`/work-orders/${globexOrder}${suffix}`, { method, headers: await t.bearer('admin@acme.example'), json })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Work order not found.' })
  })

  it.each([
    ['a machine of another tenant', { machine_id: demoId('machine:globex:GLX-001') }, 'Machine not found.'],
    ['an unknown assignee', { assigned_to: '0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b' }, 'User not found.'],
    ['an assignee of another tenant', { assigned_to: demoId('user:admin@globex.example') }, 'User not found.'],
  ])('POST answers 404 for %s', async (_, json, detail) => {
    const res = await t.api('/work-orders', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: { machine_id: cnc1, title: 'x', ...json } })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail })
  })

  it('PATCH answers 404 for an assignee of another tenant', async () => {
    const res = await patch(openOrder().id, { assigned_to: demoId('user:admin@globex.example') })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'User not found.' })
  })

  it.each([
    ['no fields', {}, [
      { loc: ['body', 'machine_id'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'title'], msg: 'Field required', type: 'missing' },
    ]],
    ['an unknown priority', { machine_id: cnc1, title: 'x', priority: 'urgent' }, [
      { loc: ['body', 'priority'], msg: "Input should be 'low', 'medium', 'high' or 'critical'", type: 'enum' },
    ]],
    ['an assignee that is not a UUID', { machine_id: cnc1, title: 'x', assigned_to: 'otto' }, [
      { loc: ['body', 'assigned_to'], msg: 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `o` at 1', type: 'uuid_parsing' },
    ]],
  ])('POST answers 422 for %s', async (_, json, detail) => {
    const res = await t.api('/work-orders', { method: 'POST', headers: await t.bearer('operator@acme.example'), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail })
  })

  it('PATCH answers 422 for an unknown status', async () => {
    const res = await patch(openOrder().id, { status: 'done' })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['body', 'status'], msg: "Input should be 'open', 'in_progress', 'completed' or 'cancelled'", type: 'enum' }] })
  })
})

describe('work order comments', () => {
  it('lists comments oldest first', async () => {
    const res = await t.api(`/work-orders/${inProgressOrder().id}/comments`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([
      { id: demoId('work-order-comment:acme:2'), work_order_id: inProgressOrder().id, user_id: admin, body: 'Calibration kit arrives tomorrow morning.', created_at: at(-6 * hour) },
    ])
  })

  it('lets any role comment, appending to the list', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const res = await t.api(`/work-orders/${inProgressOrder().id}/comments`, { method: 'POST', headers, json: { body: 'Seen on night shift.' } })
    expect(res.status).toBe(201)
    const comment = await res.json()
    expect(comment).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), work_order_id: inProgressOrder().id, user_id: demoId('user:viewer@acme.example'), body: 'Seen on night shift.', created_at: at() })
    const list = await (await t.api(`/work-orders/${inProgressOrder().id}/comments`, { headers })).json()
    expect(list.map((c: { id: string }) => c.id)).toEqual([demoId('work-order-comment:acme:2'), comment.id])
  })

  it.each([
    [{}, { loc: ['body', 'body'], msg: 'Field required', type: 'missing' }],
    [{ body: '' }, { loc: ['body', 'body'], msg: 'String should have at least 1 character', type: 'string_too_short' }],
  ])('answers 422 for comment %j', async (json, item) => {
    const res = await t.api(`/work-orders/${openOrder().id}/comments`, { method: 'POST', headers: await t.bearer('viewer@acme.example'), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })
})
