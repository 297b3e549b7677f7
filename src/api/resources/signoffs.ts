import { createHmac, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { callerWorkOrder } from './lookups.js'
import { jwtAnyRole as read, jwtOperate as write } from '../access.js'
import { ApiError, signatureMessages } from '../errors.js'
import { audit } from './audit.js'
import { renderCertificate } from './work-order-certificate.js'
import { isoSeconds } from '../../clock.js'
import { demoId } from '../../store/demo.js'
import { verifyPassword } from '../../store/passwords.js'
import type { WorkOrder } from '../../store/records.js'
import { workOrders } from '../../store/tables.js'
import { defineTable } from '../../store/table.js'
import type { Store } from '../../store/store.js'

/** Most sign-offs one work order may carry (documented). */
export const maxSignoffsPerWorkOrder = 20

/**
 * The server secret of `signature_hash` (emulator choice): fixed rather than taken from the
 * configuration, so demo sign-offs verify whatever `jwtSecret` is set and clients can recompute
 * a hash in their own tests.
 */
export const signoffSecret = 'haltless-mock-signoff-secret'

/** A sign-off as stored: the signed fields exactly as they were hashed, plus the hash. */
export interface Signoff {
  id: string
  tenant_id: string
  work_order_id: string
  /** Work order details at signing time (part of the signed payload). */
  title: string
  machine_id: string
  status: string
  signed_by: string
  signer_name: string
  signer_role: string
  signed_at: number
  created_at: number
  signature_hash: string
}
/** Every tenant's sign-offs (the control plane's tamper endpoint reads it too). */
export const signoffs = defineTable<Signoff>('signoffs')

/**
 * `signature_hash`: HMAC-SHA256, lowercase hex, over the sorted-key JSON without whitespace of
 * the signed fields (`signed_at` as emitted, whole seconds with Z), non-ASCII escaped as
 * Python's `json.dumps(..., sort_keys=True, separators=(',', ':'))` does.
 */
export function signatureOf(s: Omit<Signoff, 'id' | 'tenant_id' | 'created_at' | 'signature_hash'>): string {
  const payload = {
    machine_id: s.machine_id, signed_at: isoSeconds(s.signed_at), signed_by: s.signed_by, signer_name: s.signer_name,
    signer_role: s.signer_role, status: s.status, title: s.title, work_order_id: s.work_order_id,
  }
  const json = JSON.stringify(payload).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return createHmac('sha256', signoffSecret).update(json, 'utf8').digest('hex')
}

/** Whether the stored record still matches its hash (recomputed from the stored fields). */
export function signatureValid(s: Signoff): boolean {
  const expected = Buffer.from(signatureOf(s), 'utf8')
  const stored = Buffer.from(s.signature_hash, 'utf8')
  return expected.length === stored.length && timingSafeEqual(expected, stored)
}

/** The sign-off object (201 and list items). */
export const presentSignoff = (s: Signoff) => ({
  id: s.id,
  work_order_id: s.work_order_id,
  signed_by: s.signed_by,
  signer_name: s.signer_name,
  signer_role: s.signer_role,
  signature_hash: s.signature_hash,
  signed_at: isoSeconds(s.signed_at),
  created_at: isoSeconds(s.created_at),
})

/** The work order's sign-offs, newest first (ties: the later one first). */
export const signoffsOf = (store: Store, order: WorkOrder): Signoff[] =>
  signoffs(store).of(order.tenant_id, (s) => s.work_order_id === order.id).reverse().sort((a, b) => b.signed_at - a.signed_at)

const SignoffCreate = z.object({ password: z.string() })
const SignoffOut = z.object({
  id: z.uuid(), work_order_id: z.uuid(), signed_by: z.uuid(), signer_name: z.string(), signer_role: z.string(),
  signature_hash: z.string().regex(/^[0-9a-f]{64}$/), signed_at: z.string(), created_at: z.string(),
})
const VerifyOut = z.object({ signoff_id: z.uuid(), is_valid: z.boolean(), detail: z.string() })


/** `/work-orders/{id}/signoffs` and the certificate: compliance sign-off (reference section 11). */
export const signoffsResource = new Resource('/work-orders', 'Sign-offs')
  .post('/:work_order_id/signoffs', {
    summary: 'Sign off a completed work order (re-authenticates with the current password)', access: write, body: SignoffCreate, status: 201,
    errors: ['work_order_not_found', 'signoff_reauth_failed', 'work_order_not_completed', 'signoff_limit'], response: SignoffOut,
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const caller = c.get('caller')
      if (caller.kind !== 'jwt') throw new ApiError('not_authenticated') // JWT-only route: narrows the type
      const order = callerWorkOrder(c, params.work_order_id)
      // Re-authentication before the business rules (emulator choice): a wrong password never
      // reveals the work order's state.
      if (!verifyPassword(body.password, caller.user.password_hash)) throw new ApiError('signoff_reauth_failed')
      if (order.status !== 'completed') throw new ApiError('work_order_not_completed')
      if (signoffs(store).of(caller.tenant.id, (s) => s.work_order_id === order.id).length >= maxSignoffsPerWorkOrder) throw new ApiError('signoff_limit')
      const now = clock.now()
      const fields = {
        work_order_id: order.id, title: order.title, machine_id: order.machine_id, status: order.status,
        signed_by: caller.user.id, signer_name: caller.user.full_name, signer_role: caller.user.role, signed_at: now,
      }
      const signoff = signoffs(store).add({ id: store.id(), tenant_id: caller.tenant.id, ...fields, created_at: now, signature_hash: signatureOf(fields) })
      audit(c, 'create_signoff', 'signoff', signoff.id, { work_order_id: order.id })
      return c.json(presentSignoff(signoff), 201)
    },
  })
  .get('/:work_order_id/signoffs', {
    summary: "List a work order's sign-offs (newest first)", access: read, status: 200, errors: ['work_order_not_found'], response: z.array(SignoffOut),
    handle(c, { params }) {
      const store = c.get('deps').store
      return c.json(signoffsOf(store, callerWorkOrder(c, params.work_order_id)).map(presentSignoff))
    },
  })
  .get('/:work_order_id/signoffs/:signoff_id/verify', {
    summary: "Verify a sign-off's signature", access: read, status: 200, errors: ['work_order_not_found', 'signoff_not_found'], response: VerifyOut,
    handle(c, { params }) {
      const store = c.get('deps').store
      const order = callerWorkOrder(c, params.work_order_id)
      const signoff = signoffs(store).get(order.tenant_id, params.signoff_id)
      if (!signoff || signoff.work_order_id !== order.id) throw new ApiError('signoff_not_found')
      const valid = signatureValid(signoff)
      return c.json({ signoff_id: signoff.id, is_valid: valid, detail: valid ? signatureMessages.valid : signatureMessages.tampered })
    },
  })
  .get('/:work_order_id/certificate', {
    summary: 'Download the completion certificate (PDF)', access: read, status: 200, produces: 'application/pdf',
    errors: ['work_order_not_found', 'work_order_not_completed'],
    async handle(c, { params }) {
      const { store, clock } = c.get('deps')
      const order = callerWorkOrder(c, params.work_order_id)
      // A completion certificate exists only for a completed work order (emulator choice).
      if (order.status !== 'completed') throw new ApiError('work_order_not_completed')
      // Everything the PDF shows is read before the first await.
      const bytes = await renderCertificate(store, order, signoffsOf(store, order).map((s) => ({ ...s, valid: signatureValid(s) })), clock.now())
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="work-order-${order.id}-certificate.pdf"`,
      })
    },
  })
  .demo(seedSignoffs)

/** Acme work order 1 (completed) signed off by admin@acme.example twenty hours ago. */
function seedSignoffs(store: Store): void {
  const order = workOrders(store).rows.get(demoId('work-order:acme:1'))
  const admin = store.users.get(demoId('user:admin@acme.example'))
  if (!order || !admin) return
  const signedAt = store.clock.now() - 20 * 3_600_000
  const fields = {
    work_order_id: order.id, title: order.title, machine_id: order.machine_id, status: order.status,
    signed_by: admin.id, signer_name: admin.full_name, signer_role: admin.role, signed_at: signedAt,
  }
  signoffs(store).add({ id: demoId('signoff:acme:1'), tenant_id: order.tenant_id, ...fields, created_at: signedAt, signature_hash: signatureOf(fields) })
}
