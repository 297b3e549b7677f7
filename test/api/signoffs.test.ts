import { createHmac } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import { PDFDocument } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { resetBeforeEach, useServer } from '../helpers.js'
import { demoId, demoPassword } from '../../src/store/demo.js'

const t = useServer()
const at = resetBeforeEach(t)
const hour = 3_600_000

const admin = demoId('user:admin@acme.example')
const operator = demoId('user:operator@acme.example')
const cnc1 = demoId('machine:acme:CNC-001')
const completedOrder = demoId('work-order:acme:1')
const openOrder = demoId('work-order:acme:2')
const inProgressOrder = demoId('work-order:acme:3')
const demoSignoff = demoId('signoff:acme:1')
const control = (path: string, init: RequestInit = {}) => fetch(`${t.url}/__mock${path}`, init)

/** The documented signature, computed independently: HMAC-SHA256 over sorted-key compact JSON. */
function expectedHash(f: { work_order_id: string; title: string; machine_id: string; status: string; signed_by: string; signer_name: string; signer_role: string; signed_at: string }, json?: string): string {
  const canonical = json ?? JSON.stringify({
    machine_id: f.machine_id, signed_at: f.signed_at, signed_by: f.signed_by, signer_name: f.signer_name,
    signer_role: f.signer_role, status: f.status, title: f.title, work_order_id: f.work_order_id,
  })
  return createHmac('sha256', 'haltless-mock-signoff-secret').update(canonical).digest('hex')
}

/** A new work order of Acme, taken to `completed` by the operator. */
async function completedWorkOrder(title = 'Replace belt'): Promise<string> {
  const headers = await t.bearer('operator@acme.example')
  const { id } = await (await t.api('/work-orders', { method: 'POST', headers, json: { machine_id: cnc1, title } })).json()
  for (const status of ['in_progress', 'completed']) expect((await t.api(`/work-orders/${id}`, { method: 'PATCH', headers, json: { status } })).status).toBe(200)
  return id
}
const signOff = async (id: string, email = 'operator@acme.example', password = demoPassword) =>
  t.api(`/work-orders/${id}/signoffs`, { method: 'POST', headers: await t.bearer(email), json: { password } })
const verify = async (orderId: string, signoffId: string) =>
  t.api(`/work-orders/${orderId}/signoffs/${signoffId}/verify`, { headers: await t.bearer('viewer@acme.example') })

/** Every string drawn with `Tj` in the PDF's (deflated) content streams, one per line. */
function pdfText(bytes: Uint8Array): string {
  const raw = Buffer.from(bytes).toString('latin1')
  const lines: string[] = []
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content = m[1]!
    try {
      content = inflateSync(Buffer.from(content, 'latin1')).toString('latin1')
    } catch {
      // an uncompressed stream
    }
    for (const s of content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) lines.push(Buffer.from(s[1]!, 'hex').toString('latin1'))
  }
  return lines.join('\n')
}

describe('POST /work-orders/{id}/signoffs', () => {
  it('signs a completed work order with the documented fields and HMAC signature, and audits it', async () => {
    const id = await completedWorkOrder()
    t.clock.advance(90_000)
    const res = await signOff(id)
    expect(res.status).toBe(201)
    const body = await res.json()
    const fields = { work_order_id: id, title: 'Replace belt', machine_id: cnc1, status: 'completed', signed_by: operator, signer_name: 'Otto Operator', signer_role: 'operator', signed_at: at(90_000) }
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), work_order_id: id, signed_by: operator, signer_name: 'Otto Operator', signer_role: 'operator',
      signature_hash: expectedHash(fields), signed_at: at(90_000), created_at: at(90_000),
    })
    const entry = t.server.deps.store.audit.get(demoId('tenant:acme'))!.filter((e) => e.resource_type === 'signoff')
    expect(entry.map((e) => ({ action: e.action, resource_id: e.resource_id, details: e.details }))).toEqual([{ action: 'create_signoff', resource_id: body.id, details: { work_order_id: id } }])
  })

  it('escapes non-ASCII in the signed JSON as Python json.dumps does', async () => {
    const id = await completedWorkOrder('Lager wechseln – Spindel ü')
    const body = await (await signOff(id)).json()
    const json = `{"machine_id":"${cnc1}","signed_at":"${at()}","signed_by":"${operator}","signer_name":"Otto Operator","signer_role":"operator","status":"completed","title":"Lager wechseln \\u2013 Spindel \\u00fc","work_order_id":"${id}"}`
    expect(body.signature_hash).toBe(expectedHash({} as never, json))
  })

  it('answers 403 with the documented text for a wrong password, before the business rules', async () => {
    for (const id of [completedOrder, openOrder]) {
      const res = await signOff(id, 'operator@acme.example', 'Wrong-Passw0rd!')
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual({ detail: 'Password verification failed. Sign-off requires re-authentication.' })
    }
  })

  it.each([[openOrder], [inProgressOrder]])('answers 400 for a work order that is not completed (%s)', async (id) => {
    const res = await signOff(id)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ detail: 'Work order must be completed before sign-off.' })
  })

  it('accepts 20 sign-offs per work order and refuses the 21st', async () => {
    const id = await completedWorkOrder()
    for (let i = 0; i < 20; i++) expect((await signOff(id, i % 2 ? 'admin@acme.example' : 'operator@acme.example')).status).toBe(201)
    const res = await signOff(id)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ detail: 'Maximum of 20 sign-offs per work order reached.' })
    expect(await (await t.api(`/work-orders/${id}/signoffs`, { headers: await t.bearer('viewer@acme.example') })).json()).toHaveLength(20)
  })

  it('refuses a viewer with 403 Insufficient permissions.', async () => {
    const res = await signOff(completedOrder, 'viewer@acme.example')
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
  })

  it("answers 404 for another tenant's work order", async () => {
    const res = await signOff(demoId('work-order:globex:1'), 'admin@acme.example')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Work order not found.' })
  })

  it('answers 422 without a password', async () => {
    const res = await t.api(`/work-orders/${completedOrder}/signoffs`, { method: 'POST', headers: await t.bearer('operator@acme.example'), json: {} })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['body', 'password'], msg: 'Field required', type: 'missing' }] })
  })
})

describe('GET /work-orders/{id}/signoffs and verify', () => {
  const demoFields = () => ({
    work_order_id: completedOrder, title: 'Replace spindle bearing', machine_id: demoId('machine:acme:CNC-002'), status: 'completed',
    signed_by: admin, signer_name: 'Ada Admin', signer_role: 'admin', signed_at: at(-20 * hour),
  })

  it('lists sign-offs newest first as a plain array (demo: one by admin@acme.example)', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const demo = { id: demoSignoff, work_order_id: completedOrder, signed_by: admin, signer_name: 'Ada Admin', signer_role: 'admin', signature_hash: expectedHash(demoFields()), signed_at: at(-20 * hour), created_at: at(-20 * hour) }
    expect(await (await t.api(`/work-orders/${completedOrder}/signoffs`, { headers })).json()).toEqual([demo])
    const mine = await (await signOff(completedOrder)).json()
    expect(await (await t.api(`/work-orders/${completedOrder}/signoffs`, { headers })).json()).toEqual([mine, demo])
  })

  it('verifies a stored sign-off, then reports the mismatch once the control plane tampers with it', async () => {
    const valid = await verify(completedOrder, demoSignoff)
    expect(valid.status).toBe(200)
    expect(await valid.json()).toEqual({ signoff_id: demoSignoff, is_valid: true, detail: 'Signature verification passed. The sign-off record has not been tampered with.' })

    const tampered = await control(`/signoffs/${demoSignoff}/tamper`, { method: 'POST' })
    expect(tampered.status).toBe(200)
    expect(await tampered.json()).toEqual({
      id: demoSignoff, work_order_id: completedOrder, signed_by: admin, signer_name: 'Ada Admin (altered)', signer_role: 'admin',
      signature_hash: expectedHash(demoFields()), signed_at: at(-20 * hour), created_at: at(-20 * hour),
    })
    const invalid = await verify(completedOrder, demoSignoff)
    expect(invalid.status).toBe(200)
    expect(await invalid.json()).toEqual({ signoff_id: demoSignoff, is_valid: false, detail: 'Signature mismatch detected. The sign-off record may have been altered.' })
  })

  it('tamper answers 404 for an unknown sign-off', async () => {
    const res = await control('/signoffs/0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b/tamper', { method: 'POST' })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Sign-off not found.' })
  })

  it('verify answers 404 for a sign-off of another work order', async () => {
    const id = await completedWorkOrder()
    const res = await verify(id, demoSignoff)
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Sign-off not found.' })
  })

  it.each([['/signoffs'], [`/signoffs/${demoSignoff}/verify`], ['/certificate']])("GET %s answers 404 for another tenant's work order", async (suffix) => {
    const res = await t.api(`/work-orders/${completedOrder}${suffix}`, { headers: await t.bearer('admin@globex.example') })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Work order not found.' })
  })
})

describe('GET /work-orders/{id}/certificate', () => {
  it('answers a PDF attachment with the work order details and its sign-offs', async () => {
    const res = await t.api(`/work-orders/${completedOrder}/certificate`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="work-order-${completedOrder}-certificate.pdf"`)
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-')
    const doc = await PDFDocument.load(bytes)
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(1)
    expect(doc.getTitle()).toBe(`Work order completion certificate ${completedOrder}`)
    const text = pdfText(bytes)
    for (const line of ['Work Order Completion Certificate', 'Acme Manufacturing', completedOrder, 'Replace spindle bearing', 'CNC Mill #2 (CNC-002)',
      'Otto Operator <operator@acme.example>', 'Sign-offs (1)', 'Ada Admin (admin)', at(-20 * hour), demoSignoff, 'passed'])
      expect(text.split('\n')).toContain(line)
  })

  it('marks a tampered sign-off in the certificate', async () => {
    await control(`/signoffs/${demoSignoff}/tamper`, { method: 'POST' })
    const res = await t.api(`/work-orders/${completedOrder}/certificate`, { headers: await t.bearer('viewer@acme.example') })
    expect(pdfText(new Uint8Array(await res.arrayBuffer())).split('\n')).toContain('MISMATCH: record may have been altered')
  })

  it('wraps long descriptions onto further pages', async () => {
    const headers = await t.bearer('operator@acme.example')
    const { id } = await (await t.api('/work-orders', { method: 'POST', headers, json: { machine_id: cnc1, title: 'Long', description: 'word '.repeat(999) } })).json()
    for (const status of ['in_progress', 'completed']) await t.api(`/work-orders/${id}`, { method: 'PATCH', headers, json: { status } })
    const res = await t.api(`/work-orders/${id}/certificate`, { headers })
    expect(res.status).toBe(200)
    expect((await PDFDocument.load(new Uint8Array(await res.arrayBuffer()))).getPageCount()).toBe(2)
  })

  it.each([[openOrder], [inProgressOrder]])('answers 400 for a work order that is not completed (%s)', async (id) => {
    const res = await t.api(`/work-orders/${id}/certificate`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ detail: 'Work order must be completed before sign-off.' })
  })
})
