import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'
import { workOrders } from '../../src/store/tables.js'
import type { WorkOrder } from '../../src/store/records.js'

const t = useServer()
const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
const filter = demoId('part:acme:3')
const operator = demoId('user:operator@acme.example')
let made = 0

/** A work order put straight into the shared table (its own router is not needed here). */
function addWorkOrder(tenant = 'acme'): WorkOrder {
  const now = t.clock.now()
  return workOrders(t.server.deps.store).add({
    id: demoId(`work-order:test:${++made}`), tenant_id: demoId(`tenant:${tenant}`), machine_id: demoId('machine:acme:PRESS-01'),
    title: 'Change hydraulic filter', description: null, priority: 'medium', status: 'open', assigned_to: null, created_by: operator,
    created_at: now, updated_at: now, completed_at: null,
  })
}

const stockOf = async (partId: string, headers: Record<string, string>) =>
  (await (await t.api(`/inventory/parts/${partId}`, { headers })).json()).quantity_on_hand as number

describe('work-order parts', () => {
  it('adds a part (consuming its stock), lists it with costs, and removing it returns the stock', async () => {
    const headers = await t.bearer('operator@acme.example')
    const wo = addWorkOrder()
    const before = await stockOf(filter, headers)
    const res = await t.api(`/inventory/work-orders/${wo.id}/parts`, { method: 'POST', headers, json: { spare_part_id: filter, quantity: 3 } })
    expect(res.status).toBe(201)
    const use = await res.json()
    expect(use).toEqual({
      id: uuid, work_order_id: wo.id, spare_part_id: filter, part_number: 'FLT-HYD-10', part_name: 'Hydraulic return filter 10 µm',
      quantity: 3, unit_cost: 46, total_cost: 138, created_at: '2026-04-04T10:30:00Z',
    })
    expect(await stockOf(filter, headers)).toBe(before - 3)
    const list = await t.api(`/inventory/work-orders/${wo.id}/parts`, { headers: await t.bearer('viewer@acme.example') })
    expect(list.status).toBe(200)
    expect(await list.json()).toEqual([use])
    const txs = await (await t.api(`/inventory/parts/${filter}/transactions`, { headers })).json()
    expect(txs.items[0]).toEqual({ id: uuid, part_id: filter, type: 'consume', quantity: 3, quantity_after: before - 3, notes: `Work order ${wo.id}`, created_by: operator, created_at: '2026-04-04T10:30:00Z' })

    t.clock.advance(60_000)
    const removed = await t.api(`/inventory/work-orders/${wo.id}/parts/${use.id}`, { method: 'DELETE', headers })
    expect(removed.status).toBe(204)
    expect(await removed.text()).toBe('')
    expect(await stockOf(filter, headers)).toBe(before)
    const after = await (await t.api(`/inventory/parts/${filter}/transactions`, { headers })).json()
    expect(after.items[0]).toMatchObject({ type: 'return', quantity: 3, quantity_after: before, created_at: '2026-04-04T10:31:00Z' })
    expect(await (await t.api(`/inventory/work-orders/${wo.id}/parts`, { headers })).json()).toEqual([])
  })

  it('answers 400 Insufficient stock. when the part has too few, and records nothing', async () => {
    const headers = await t.bearer('operator@acme.example')
    const wo = addWorkOrder()
    const belt = demoId('part:acme:2')
    const res = await t.api(`/inventory/work-orders/${wo.id}/parts`, { method: 'POST', headers, json: { spare_part_id: belt, quantity: 4 } })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ detail: 'Insufficient stock.' })
    expect(await stockOf(belt, headers)).toBe(3)
    expect(await (await t.api(`/inventory/work-orders/${wo.id}/parts`, { headers })).json()).toEqual([])
  })

  it('answers 404 Work order not found. for an unknown or foreign work order', async () => {
    const headers = await t.bearer('operator@acme.example')
    const foreign = addWorkOrder('globex')
    for (const id of [demoId('work-order:none'), foreign.id]) {
      for (const [method, path, json] of [
        ['GET', '/parts', undefined], ['POST', '/parts', { spare_part_id: filter, quantity: 1 }], ['DELETE', `/parts/${demoId('wop:none')}`, undefined],
      ] as const) {
        const res = await t.api(`/inventory/work-orders/${id}${path}`, { method, headers, json })
        expect(res.status).toBe(404)
        expect(await res.json()).toEqual({ detail: 'Work order not found.' })
      }
    }
  })

  it('answers 404 Part not found. for a foreign part, and for a use of another work order', async () => {
    const headers = await t.bearer('operator@acme.example')
    const wo = addWorkOrder()
    const other = addWorkOrder()
    const foreign = await t.api(`/inventory/work-orders/${wo.id}/parts`, { method: 'POST', headers, json: { spare_part_id: demoId('part:globex:1'), quantity: 1 } })
    expect(foreign.status).toBe(404)
    expect(await foreign.json()).toEqual({ detail: 'Part not found.' })
    const use = await (await t.api(`/inventory/work-orders/${wo.id}/parts`, { method: 'POST', headers, json: { spare_part_id: filter, quantity: 1 } })).json()
    const wrong = await t.api(`/inventory/work-orders/${other.id}/parts/${use.id}`, { method: 'DELETE', headers })
    expect(wrong.status).toBe(404)
    expect(await wrong.json()).toEqual({ detail: 'Part not found.' })
  })

  it('drops a deleted part from the work orders that used it', async () => {
    const headers = await t.bearer('operator@acme.example')
    const wo = addWorkOrder()
    const part = await (await t.api('/inventory/parts', { method: 'POST', headers, json: { part_number: 'WOP-DEL', name: 'Gasket', quantity_on_hand: 5 } })).json()
    await t.api(`/inventory/work-orders/${wo.id}/parts`, { method: 'POST', headers, json: { spare_part_id: part.id, quantity: 2 } })
    expect(await t.api(`/inventory/parts/${part.id}`, { method: 'DELETE', headers })).toHaveProperty('status', 204)
    expect(await (await t.api(`/inventory/work-orders/${wo.id}/parts`, { headers })).json()).toEqual([])
  })

  it('lists the demo use of two bearings on work-order:acme:1', async () => {
    const wo = demoId('work-order:acme:1')
    // the work-order router seeds this work order; the test does not depend on it
    if (!workOrders(t.server.deps.store).get(demoId('tenant:acme'), wo)) workOrders(t.server.deps.store).add({ ...addWorkOrder(), id: wo })
    const res = await t.api(`/inventory/work-orders/${wo}/parts`, { headers: await t.bearer('viewer@acme.example') })
    expect(await res.json()).toEqual([{
      id: demoId('work-order-part:acme:1'), work_order_id: wo, spare_part_id: demoId('part:acme:1'), part_number: 'BRG-6205-2RS',
      part_name: 'Deep groove ball bearing 6205-2RS', quantity: 2, unit_cost: 8.5, total_cost: 17, created_at: '2026-04-02T10:30:00Z',
    }])
  })

  it.each([
    [{ quantity: 0, spare_part_id: 'abc' }, [
      { loc: ['body', 'spare_part_id'], msg: 'Input should be a valid UUID, invalid length: expected length 32 for simple format, found 3', type: 'uuid_parsing' },
      { loc: ['body', 'quantity'], msg: 'Input should be greater than 0', type: 'greater_than' },
    ]],
    [{}, [
      { loc: ['body', 'spare_part_id'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'quantity'], msg: 'Field required', type: 'missing' },
    ]],
  ])('answers 422 for %j', async (json, detail) => {
    const res = await t.api(`/inventory/work-orders/${addWorkOrder().id}/parts`, { method: 'POST', headers: await t.bearer('operator@acme.example'), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail })
  })

  it('refuses a viewer adding or removing parts with 403', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const wo = addWorkOrder()
    for (const [method, path, json] of [['POST', '/parts', { spare_part_id: filter, quantity: 1 }], ['DELETE', `/parts/${demoId('wop:none')}`, undefined]] as const) {
      const res = await t.api(`/inventory/work-orders/${wo.id}${path}`, { method, headers, json })
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
    }
  })
})
