import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
const bearing = demoId('part:acme:1')
const belt = demoId('part:acme:2')
const names = (body: { items?: { part_number: string }[] } | { part_number: string }[]) =>
  (Array.isArray(body) ? body : body.items!).map((p) => p.part_number)

// The demo starts at the ManualClock's 2026-04-04T10:30:00Z: parts were created 30 days earlier.
const demoBelt = {
  id: belt, part_number: 'BLT-A42', name: 'V-belt A42', category_id: demoId('category:acme:2'),
  quantity_on_hand: 3, reorder_point: 5, reorder_quantity: 10, unit_cost: 12.75, unit: 'each', location: 'Store A, Bin 4',
  supplier: 'Gates Industrial', manufacturer_part_number: 'Gates A42', is_low_stock: true,
  created_at: '2026-03-05T10:30:00Z', updated_at: '2026-03-28T10:30:00Z',
}

describe('GET /inventory/parts', () => {
  it('lists the tenant\'s parts by name in the pagination envelope, each with is_low_stock', async () => {
    const res = await t.api('/inventory/parts', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({ total: 4, page: 1, page_size: 20, total_pages: 1 })
    expect(names(body)).toEqual(['ELC-CT-24', 'BRG-6205-2RS', 'FLT-HYD-10', 'BLT-A42'])
    expect(body.items[3]).toEqual(demoBelt)
  })

  it.each([
    ['search=BELT', ['BLT-A42']],
    ['search=flt-hyd', ['FLT-HYD-10']],
    [`category_id=${demoId('category:acme:1')}`, ['BRG-6205-2RS']],
    ['low_stock_only=true', ['BLT-A42']],
    ['low_stock_only=false&page_size=2&page=2', ['FLT-HYD-10', 'BLT-A42']],
  ])('filters with %s', async (query, expected) => {
    const body = await (await t.api(`/inventory/parts?${query}`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(names(body)).toEqual(expected)
  })

  it.each([
    ['category_id=nope', { loc: ['query', 'category_id'], msg: 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1', type: 'uuid_parsing' }],
    ['low_stock_only=maybe', { loc: ['query', 'low_stock_only'], msg: 'Input should be a valid boolean, unable to interpret input', type: 'bool_parsing' }],
    ['page_size=101', { loc: ['query', 'page_size'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' }],
  ])('answers 422 for %s', async (query, item) => {
    const res = await t.api(`/inventory/parts?${query}`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })

  it('shows Globex only its own part', async () => {
    const body = await (await t.api('/inventory/parts', { headers: await t.bearer('admin@globex.example') })).json()
    expect(names(body)).toEqual(['GLX-SPN-01'])
  })
})

describe('GET /inventory/parts/low-stock', () => {
  it('lists parts at or below their reorder point (literal path before /{part_id})', async () => {
    const res = await t.api('/inventory/parts/low-stock', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([demoBelt])
  })
})

describe('part lifecycle', () => {
  it('creates with defaults, reads, patches, and deletes a part', async () => {
    const headers = await t.bearer('operator@acme.example')
    const created = await t.api('/inventory/parts', { method: 'POST', headers, json: { part_number: 'SEN-PX-01', name: 'Proximity sensor' } })
    expect(created.status).toBe(201)
    const part = await created.json()
    expect(part).toEqual({
      id: uuid, part_number: 'SEN-PX-01', name: 'Proximity sensor', category_id: null, quantity_on_hand: 0, reorder_point: 0,
      reorder_quantity: 0, unit_cost: null, unit: 'each', location: null, supplier: null, manufacturer_part_number: null,
      is_low_stock: true, created_at: '2026-04-04T10:30:00Z', updated_at: '2026-04-04T10:30:00Z',
    })
    expect(await (await t.api(`/inventory/parts/${part.id}`, { headers })).json()).toEqual(part)

    t.clock.advance(3_000)
    const category = demoId('category:acme:4')
    const patched = await t.api(`/inventory/parts/${part.id}`, { method: 'PATCH', headers, json: { category_id: category, reorder_point: 2, unit_cost: 19.5, quantity_on_hand: 5 } })
    expect(patched.status).toBe(200)
    expect(await patched.json()).toEqual({ ...part, category_id: category, reorder_point: 2, unit_cost: 19.5, quantity_on_hand: 5, is_low_stock: false, updated_at: '2026-04-04T10:30:03Z' })
    // the new quantity on hand is in the history as an adjustment
    const history = await (await t.api(`/inventory/parts/${part.id}/transactions`, { headers })).json()
    expect(history.items).toEqual([{ id: uuid, part_id: part.id, type: 'adjust', quantity: 5, quantity_after: 5, notes: null, created_by: demoId('user:operator@acme.example'), created_at: '2026-04-04T10:30:03Z' }])

    const deleted = await t.api(`/inventory/parts/${part.id}`, { method: 'DELETE', headers })
    expect(deleted.status).toBe(204)
    expect(await deleted.text()).toBe('')
    const gone = await t.api(`/inventory/parts/${part.id}`, { headers })
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ detail: 'Part not found.' })
  })

  it('answers 409 for a part number the tenant already has, on create and on patch; another tenant may reuse it', async () => {
    const headers = await t.bearer('admin@acme.example')
    const dup = await t.api('/inventory/parts', { method: 'POST', headers, json: { part_number: 'BRG-6205-2RS', name: 'Copy' } })
    expect(dup.status).toBe(409)
    expect(await dup.json()).toEqual({ detail: 'A part with this part number already exists for this tenant.' })
    const patch = await t.api(`/inventory/parts/${belt}`, { method: 'PATCH', headers, json: { part_number: 'BRG-6205-2RS' } })
    expect(patch.status).toBe(409)
    const same = await t.api(`/inventory/parts/${belt}`, { method: 'PATCH', headers, json: { part_number: 'BLT-A42' } })
    expect(same.status).toBe(200)
    const globex = await t.api('/inventory/parts', { method: 'POST', headers: await t.bearer('admin@globex.example'), json: { part_number: 'BRG-6205-2RS', name: 'Bearing' } })
    expect(globex.status).toBe(201)
  })

  it('answers 404 Category not found. for an unknown or foreign category', async () => {
    const headers = await t.bearer('admin@acme.example')
    for (const category_id of [demoId('category:none'), demoId('category:globex:1')]) {
      const res = await t.api('/inventory/parts', { method: 'POST', headers, json: { part_number: 'X-1', name: 'X', category_id } })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ detail: 'Category not found.' })
    }
    const patch = await t.api(`/inventory/parts/${belt}`, { method: 'PATCH', headers, json: { category_id: demoId('category:globex:1') } })
    expect(patch.status).toBe(404)
    expect(await patch.json()).toEqual({ detail: 'Category not found.' })
  })

  it('answers 422 with pydantic items for a bad body', async () => {
    const res = await t.api('/inventory/parts', {
      method: 'POST', headers: await t.bearer('admin@acme.example'),
      json: { name: '', quantity_on_hand: -1, reorder_point: 'ten', unit_cost: -0.5, category_id: 'x' },
    })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      detail: [
        { loc: ['body', 'part_number'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'name'], msg: 'String should have at least 1 character', type: 'string_too_short' },
        { loc: ['body', 'category_id'], msg: 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `x` at 1', type: 'uuid_parsing' },
        { loc: ['body', 'quantity_on_hand'], msg: 'Input should be greater than or equal to 0', type: 'greater_than_equal' },
        { loc: ['body', 'reorder_point'], msg: 'Input should be a valid number', type: 'float_type' },
        { loc: ['body', 'unit_cost'], msg: 'Input should be greater than or equal to 0', type: 'greater_than_equal' },
      ],
    })
  })

  it('hides another tenant\'s part behind 404 Part not found.', async () => {
    const headers = await t.bearer('admin@globex.example')
    for (const [method, path, json] of [
      ['GET', '', undefined], ['PATCH', '', { name: 'x' }], ['DELETE', '', undefined],
      ['GET', '/transactions', undefined], ['POST', '/transactions', { type: 'receive', quantity: 1 }],
    ] as const) {
      const res = await t.api(`/inventory/parts/${bearing}${path}`, { method, headers, json })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ detail: 'Part not found.' })
    }
  })

  it.each([
    ['POST', '/inventory/parts', { part_number: 'V-1', name: 'V' }],
    ['PATCH', `/inventory/parts/${bearing}`, { name: 'V' }],
    ['DELETE', `/inventory/parts/${bearing}`, undefined],
    ['POST', `/inventory/parts/${bearing}/transactions`, { type: 'receive', quantity: 1 }],
  ] as const)('refuses a viewer %s %s with 403', async (method, path, json) => {
    const res = await t.api(path, { method, headers: await t.bearer('viewer@acme.example'), json })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
  })
})

describe('stock transactions', () => {
  let made = 0
  async function freshPart(quantity: number): Promise<{ id: string; headers: Record<string, string> }> {
    const headers = await t.bearer('operator@acme.example')
    const res = await t.api('/inventory/parts', { method: 'POST', headers, json: { part_number: `TX-${++made}`, name: 'Tx part', quantity_on_hand: quantity, reorder_point: 2 } })
    return { id: (await res.json()).id, headers }
  }

  it('adds on receive and return, subtracts on consume and transfer, applies a signed adjust; lists newest first', async () => {
    const { id, headers } = await freshPart(10)
    const steps: [string, number, number][] = [['receive', 5, 15], ['consume', 4, 11], ['transfer', 2.5, 8.5], ['return', 0.5, 9], ['adjust', -3, 6], ['adjust', 1, 7]]
    const txs = []
    for (const [type, quantity, after] of steps) {
      t.clock.advance(1_000)
      const res = await t.api(`/inventory/parts/${id}/transactions`, { method: 'POST', headers, json: { type, quantity, notes: `${type} step` } })
      expect(res.status).toBe(201)
      const tx = await res.json()
      expect(tx).toEqual({ id: uuid, part_id: id, type, quantity, quantity_after: after, notes: `${type} step`, created_by: demoId('user:operator@acme.example'), created_at: expect.any(String) })
      txs.push(tx)
    }
    const part = await (await t.api(`/inventory/parts/${id}`, { headers })).json()
    expect(part).toMatchObject({ quantity_on_hand: 7, is_low_stock: false })
    const list = await (await t.api(`/inventory/parts/${id}/transactions?page_size=4`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(list).toEqual({ items: txs.reverse().slice(0, 4), total: 6, page: 1, page_size: 4, total_pages: 2 })
  })

  it('answers 400 Insufficient stock. below zero and changes nothing', async () => {
    const { id, headers } = await freshPart(3)
    for (const json of [{ type: 'consume', quantity: 4 }, { type: 'transfer', quantity: 3.5 }, { type: 'adjust', quantity: -4 }]) {
      const res = await t.api(`/inventory/parts/${id}/transactions`, { method: 'POST', headers, json })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ detail: 'Insufficient stock.' })
    }
    expect(await (await t.api(`/inventory/parts/${id}`, { headers })).json()).toMatchObject({ quantity_on_hand: 3 })
    expect(await (await t.api(`/inventory/parts/${id}/transactions`, { headers })).json()).toMatchObject({ items: [], total: 0 })
    const all = await t.api(`/inventory/parts/${id}/transactions`, { method: 'POST', headers, json: { type: 'consume', quantity: 3 } })
    expect(await all.json()).toMatchObject({ quantity_after: 0, notes: null })
  })

  it('shows the demo receipt on the Acme bearing', async () => {
    const list = await (await t.api(`/inventory/parts/${bearing}/transactions`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(list.items.at(-1)).toEqual({
      id: demoId('inventory-transaction:acme:1'), part_id: bearing, type: 'receive', quantity: 20, quantity_after: 24,
      notes: 'PO 4500012345', created_by: demoId('user:operator@acme.example'), created_at: '2026-03-28T10:30:00Z',
    })
  })

  it.each([
    [{ type: 'receive', quantity: 0 }, [{ loc: ['body', 'quantity'], msg: 'Input should be greater than 0', type: 'greater_than' }]],
    [{ type: 'consume', quantity: -2 }, [{ loc: ['body', 'quantity'], msg: 'Input should be greater than 0', type: 'greater_than' }]],
    [{ type: 'scrap', quantity: 1 }, [{ loc: ['body', 'type'], msg: "Input should be 'receive', 'consume', 'adjust', 'return' or 'transfer'", type: 'enum' }]],
    [{ type: 'receive' }, [{ loc: ['body', 'quantity'], msg: 'Field required', type: 'missing' }]],
  ])('answers 422 for %j', async (json, detail) => {
    const res = await t.api(`/inventory/parts/${bearing}/transactions`, { method: 'POST', headers: await t.bearer('operator@acme.example'), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail })
  })
})

describe('/inventory/categories', () => {
  it('lists the tenant\'s categories by name with their part counts', async () => {
    const res = await t.api('/inventory/categories', { headers: await t.bearer('admin@globex.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([{
      id: demoId('category:globex:1'), name: 'Spindles', description: 'Spindle bearings and cartridges', part_count: 1, created_at: '2026-03-05T10:30:00Z',
    }])
    const acme = await (await t.api('/inventory/categories', { headers: await t.bearer('viewer@acme.example') })).json()
    expect(acme.map((c: { name: string }) => c.name)).toEqual(['Bearings', 'Belts', 'Electrical', 'Filters'])
  })

  it('creates a category, and deleting one in use leaves its parts uncategorized', async () => {
    const headers = await t.bearer('operator@acme.example')
    const created = await t.api('/inventory/categories', { method: 'POST', headers, json: { name: 'Seals' } })
    expect(created.status).toBe(201)
    const category = await created.json()
    expect(category).toEqual({ id: uuid, name: 'Seals', description: null, part_count: 0, created_at: expect.any(String) })
    const part = await (await t.api('/inventory/parts', { method: 'POST', headers, json: { part_number: 'SEAL-1', name: 'Shaft seal', category_id: category.id } })).json()
    const listed = await (await t.api('/inventory/categories', { headers })).json()
    expect(listed.find((c: { id: string }) => c.id === category.id)).toMatchObject({ part_count: 1 })

    const deleted = await t.api(`/inventory/categories/${category.id}`, { method: 'DELETE', headers })
    expect(deleted.status).toBe(204)
    expect(await (await t.api(`/inventory/parts/${part.id}`, { headers })).json()).toMatchObject({ category_id: null })
    const again = await t.api(`/inventory/categories/${category.id}`, { method: 'DELETE', headers })
    expect(again.status).toBe(404)
    expect(await again.json()).toEqual({ detail: 'Category not found.' })
  })

  it('hides another tenant\'s category, refuses a viewer, and validates the body', async () => {
    const foreign = await t.api(`/inventory/categories/${demoId('category:acme:1')}`, { method: 'DELETE', headers: await t.bearer('admin@globex.example') })
    expect(foreign.status).toBe(404)
    expect(await foreign.json()).toEqual({ detail: 'Category not found.' })
    const viewer = await t.api('/inventory/categories', { method: 'POST', headers: await t.bearer('viewer@acme.example'), json: { name: 'X' } })
    expect(viewer.status).toBe(403)
    expect(await viewer.json()).toEqual({ detail: 'Insufficient permissions.' })
    const bad = await t.api('/inventory/categories', { method: 'POST', headers: await t.bearer('admin@acme.example'), json: { name: 'x'.repeat(256) } })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toEqual({ detail: [{ loc: ['body', 'name'], msg: 'String should have at most 255 characters', type: 'string_too_long' }] })
  })
})
