import { PDFDocument } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { resetBeforeEach, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
resetBeforeEach(t)
const json = (res: Response) => res.json() as Promise<Record<string, any>>

describe('edge cases', () => {
  it('refuses JSON nested deeper than 512 levels with json_invalid (it would not serialise back)', async () => {
    const deep = `{"name":"x","provider":"sap","base_url":"https://x.example","field_mappings":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`
    const res = await t.api('/erp/connections', { method: 'POST', headers: { ...(await t.bearer('admin@acme.example')), 'content-type': 'application/json' }, body: deep })
    expect(res.status).toBe(422)
    expect((await json(res)).detail[0]).toMatchObject({ loc: ['body', expect.any(Number)], msg: 'JSON decode error', type: 'json_invalid' })
    expect((await t.api('/erp/connections', { headers: await t.bearer('admin@acme.example') })).status).toBe(200)
  })

  it('reads a "__proto__" key as a field like any other, also in a body with NaN (the lenient parser)', async () => {
    const headers = { ...(await t.bearer('operator@acme.example')), 'content-type': 'application/json' }
    const res = await t.api('/machines', { method: 'POST', headers, body: '{"__proto__":{"name":"x","machine_identifier":"PROTO-1","protocol":"json"},"n":NaN}' })
    expect([res.status, (await json(res)).detail.map((i: { loc: string[] }) => i.loc.join('.'))]).toEqual([422, ['body.name', 'body.machine_identifier', 'body.protocol']])
  })

  it('refuses stock amounts above 1e12 instead of storing Infinity', async () => {
    const headers = await t.bearer('operator@acme.example')
    const res = await t.api('/inventory/parts', { method: 'POST', headers, json: { part_number: 'BIG', name: 'big', quantity_on_hand: 1e303 } })
    expect([res.status, (await json(res)).detail]).toEqual([422, [{ loc: ['body', 'quantity_on_hand'], msg: 'Input should be less than or equal to 1000000000000', type: 'less_than_equal' }]])
  })

  it('returns the parts of a deleted work order to stock, with return transactions', async () => {
    const headers = await t.bearer('operator@acme.example')
    const part = demoId('part:acme:2')
    const order = demoId('work-order:acme:2')
    const before = (await json(await t.api(`/inventory/parts/${part}`, { headers }))).quantity_on_hand as number
    expect((await t.api(`/inventory/work-orders/${order}/parts`, { method: 'POST', headers, json: { spare_part_id: part, quantity: 2 } })).status).toBe(201)
    expect((await json(await t.api(`/inventory/parts/${part}`, { headers }))).quantity_on_hand).toBe(before - 2)
    expect((await t.api(`/work-orders/${order}`, { method: 'DELETE', headers })).status).toBe(204)
    expect((await json(await t.api(`/inventory/parts/${part}`, { headers }))).quantity_on_hand).toBe(before)
    const tx = (await json(await t.api(`/inventory/parts/${part}/transactions`, { headers }))).items as { type: string; quantity: number }[]
    expect(tx.slice(0, 2).map((x) => [x.type, x.quantity])).toEqual([['return', 2], ['consume', 2]])
  })

  it('renders a certificate whose description is one 5,000-character word', async () => {
    const headers = await t.bearer('operator@acme.example')
    const created = await json(await t.api('/work-orders', { method: 'POST', headers, json: { machine_id: demoId('machine:acme:CNC-001'), title: 'Long', description: 'W'.repeat(5000) } }))
    for (const status of ['in_progress', 'completed']) await t.api(`/work-orders/${created.id}`, { method: 'PATCH', headers, json: { status } })
    const res = await t.api(`/work-orders/${created.id}/certificate`, { headers })
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/pdf'])
    expect((await PDFDocument.load(await res.arrayBuffer())).getPageCount()).toBeGreaterThanOrEqual(1)
  })

  it("leaves a deleted machine's alerts out of the list and the stats", async () => {
    const headers = await t.bearer('admin@acme.example')
    const stats = async () => (await json(await t.api('/alerts/stats', { headers }))).unacknowledged_count as number
    const before = await stats()
    expect((await t.api(`/machines/${demoId('machine:acme:CNC-002')}`, { method: 'DELETE', headers })).status).toBe(204)
    expect(await stats()).toBe(before - 1)
    const list = (await json(await t.api('/alerts', { headers }))).items as { machine_id: string }[]
    expect(list.filter((a) => a.machine_id === demoId('machine:acme:CNC-002'))).toEqual([])
  })
})
