import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole as read, jwtOperate as write } from '../access.js'
import { ApiError, found } from '../errors.js'
import { pageOf, paginate, pagination, queryBool, uuidParam } from '../validate.js'
import { text255 } from './users-view.js'
import { isoSeconds } from '../../clock.js'
import { demoId } from '../../store/demo.js'
import type { Store } from '../../store/store.js'
import {
  isLowStock, moveStock, PartOut, partCategories, presentPart, spareParts, stockTransactions, transactionTypes, workOrderParts,
  type SparePart, type StockTransaction,
  maxQuantity,
} from './inventory-stock.js'
import type { Context } from 'hono'
import type { AppEnv } from '../context.js'

const amount = z.number().min(0).max(maxQuantity)
const PartCreate = z.object({
  part_number: z.string().min(1).max(100),
  name: text255,
  category_id: uuidParam.nullish(),
  quantity_on_hand: amount.default(0),
  reorder_point: amount.default(0),
  reorder_quantity: amount.default(0),
  unit_cost: amount.nullish(),
  unit: z.string().min(1).max(50).default('each'),
  location: text255.nullish(),
  supplier: text255.nullish(),
  manufacturer_part_number: text255.nullish(),
})
const PartUpdate = z.object({
  part_number: z.string().min(1).max(100).optional(),
  name: text255.optional(),
  category_id: uuidParam.nullish(),
  quantity_on_hand: amount.optional(),
  reorder_point: amount.optional(),
  reorder_quantity: amount.optional(),
  unit_cost: amount.nullish(),
  unit: z.string().min(1).max(50).optional(),
  location: text255.nullish(),
  supplier: text255.nullish(),
  manufacturer_part_number: text255.nullish(),
})
const PartQuery = z.object({
  ...pagination,
  category_id: uuidParam.optional(),
  search: z.string().max(200).optional(),
  low_stock_only: queryBool.default(false),
})
/** receive/return/consume/transfer need quantity > 0; adjust takes a signed delta (emulator choice). */
const TransactionCreate = z
  .object({ type: z.enum(transactionTypes), quantity: z.number().min(-maxQuantity).max(maxQuantity), notes: z.string().max(1000).nullish() })
  .superRefine((t, ctx) => {
    if (t.type !== 'adjust' && transactionTypes.includes(t.type) && typeof t.quantity === 'number' && !(t.quantity > 0))
      ctx.addIssue({ code: 'custom', path: ['quantity'], params: { type: 'greater_than', msg: 'Input should be greater than 0' } })
  })
const TransactionQuery = z.object({ ...pagination })


const TransactionOut = z.object({
  id: z.uuid(), part_id: z.uuid(), type: z.enum(transactionTypes), quantity: z.number(), quantity_after: z.number(),
  notes: z.string().nullable(), created_by: z.uuid().nullable(), created_at: z.string(),
})

/** The stock transaction object. */
export const presentTransaction = (t: StockTransaction) => ({
  id: t.id, part_id: t.part_id, type: t.type, quantity: t.quantity, quantity_after: t.quantity_after,
  notes: t.notes, created_by: t.created_by, created_at: isoSeconds(t.created_at),
})

/** The caller's part, or 404 `Part not found.` */
function findPart(c: Context<AppEnv>, id: string): SparePart {
  return found(spareParts(c.get('deps').store).get(c.get('caller').tenant.id, id), 'part_not_found')
}

/** A referenced category must be the caller's: else 404 `Category not found.` */
function checkCategory(c: Context<AppEnv>, id: string | null | undefined): void {
  if (id && !partCategories(c.get('deps').store).get(c.get('caller').tenant.id, id)) throw new ApiError('category_not_found')
}

/** `part_number` is unique per tenant (emulator choice): 409 otherwise. */
function checkPartNumber(c: Context<AppEnv>, partNumber: string, except?: string): void {
  const tenantId = c.get('caller').tenant.id
  if (spareParts(c.get('deps').store).of(tenantId, (p) => p.part_number === partNumber && p.id !== except).length > 0) throw new ApiError('part_number_conflict')
}

const byName = (a: SparePart, b: SparePart) => a.name.localeCompare(b.name) || a.part_number.localeCompare(b.part_number)

/** `/inventory/parts`: spare parts and their stock transactions (reference section 14). */
export const inventoryPartsResource = new Resource('/inventory/parts', 'Inventory')
  .get('/', {
    summary: 'List spare parts', access: read, query: PartQuery, status: 200, response: pageOf(PartOut),
    handle(c, { query: q }) {
      const needle = q.search?.toLowerCase()
      const list = spareParts(c.get('deps').store).of(c.get('caller').tenant.id, (p) =>
        (!q.category_id || p.category_id === q.category_id) &&
        (!needle || p.name.toLowerCase().includes(needle) || p.part_number.toLowerCase().includes(needle)) &&
        (!q.low_stock_only || isLowStock(p)))
      const result = paginate(list.sort(byName), q.page, q.page_size)
      return c.json({ ...result, items: result.items.map(presentPart) })
    },
  })
  .post('/', {
    summary: 'Create a spare part', access: write, body: PartCreate, status: 201, errors: ['category_not_found', 'part_number_conflict'], response: PartOut,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      checkCategory(c, body.category_id)
      checkPartNumber(c, body.part_number)
      const now = clock.now()
      const part = spareParts(store).add({
        id: store.id(), tenant_id: c.get('caller').tenant.id, part_number: body.part_number, name: body.name,
        category_id: body.category_id ?? null, quantity_on_hand: body.quantity_on_hand, reorder_point: body.reorder_point,
        reorder_quantity: body.reorder_quantity, unit_cost: body.unit_cost ?? null, unit: body.unit, location: body.location ?? null,
        supplier: body.supplier ?? null, manufacturer_part_number: body.manufacturer_part_number ?? null, created_at: now, updated_at: now,
      })
      return c.json(presentPart(part), 201)
    },
  })
  // literal before the parameter (reference section 1, route precedence)
  .get('/low-stock', {
    summary: 'Parts at or below their reorder point', access: read, status: 200, response: z.array(PartOut),
    handle(c) {
      const list = spareParts(c.get('deps').store).of(c.get('caller').tenant.id, isLowStock)
      return c.json(list.sort(byName).map(presentPart))
    },
  })
  .get('/:part_id', {
    summary: 'Get a spare part', access: read, status: 200, errors: ['part_not_found'], response: PartOut,
    handle: (c, { params }) => c.json(presentPart(findPart(c, params.part_id))),
  })
  .patch('/:part_id', {
    summary: 'Update a spare part', access: write, body: PartUpdate, status: 200, errors: ['part_not_found', 'category_not_found', 'part_number_conflict'], response: PartOut,
    handle(c, { params, body }) {
      const part = findPart(c, params.part_id)
      checkCategory(c, body.category_id)
      if (body.part_number !== undefined) checkPartNumber(c, body.part_number, part.id)
      const { quantity_on_hand: quantity, ...rest } = body
      // A new quantity on hand is recorded as an `adjust` transaction, so the history adds up.
      if (quantity !== undefined && quantity !== part.quantity_on_hand) moveStock(c, part, 'adjust', quantity - part.quantity_on_hand, null)
      const changed = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined))
      Object.assign(part, changed, { updated_at: c.get('deps').clock.now() })
      return c.json(presentPart(part))
    },
  })
  .delete('/:part_id', {
    summary: 'Delete a spare part (with its transactions and work-order uses)', access: write, status: 204, errors: ['part_not_found'],
    handle(c, { params }) {
      const { store } = c.get('deps')
      const part = findPart(c, params.part_id)
      spareParts(store).delete(part.id)
      for (const t of stockTransactions(store).of(part.tenant_id, (t) => t.part_id === part.id)) stockTransactions(store).delete(t.id)
      for (const u of workOrderParts(store).of(part.tenant_id, (u) => u.spare_part_id === part.id)) workOrderParts(store).delete(u.id)
      return c.body(null, 204)
    },
  })
  .get('/:part_id/transactions', {
    summary: "A part's stock transactions, newest first", access: read, query: TransactionQuery, status: 200, errors: ['part_not_found'], response: pageOf(TransactionOut),
    handle(c, { params, query }) {
      const part = findPart(c, params.part_id)
      const list = stockTransactions(c.get('deps').store).of(part.tenant_id, (t) => t.part_id === part.id)
      // insertion order is creation order, so reversing keeps same-second records newest first
      const result = paginate(list.reverse(), query.page, query.page_size)
      return c.json({ ...result, items: result.items.map(presentTransaction) })
    },
  })
  .post('/:part_id/transactions', {
    summary: 'Record a stock transaction', access: write, body: TransactionCreate, status: 201, errors: ['part_not_found', 'insufficient_stock'], response: TransactionOut,
    handle(c, { params, body }) {
      const part = findPart(c, params.part_id)
      return c.json(presentTransaction(moveStock(c, part, body.type, body.quantity, body.notes ?? null)), 201)
    },
  })
  .demo(seedParts)

/**
 * Demo parts: Acme's four (V-belt low on stock), Globex's one. The Acme bearing has a receipt and
 * a consumption for two bearings on the demo work order work-order:acme:1.
 */
function seedParts(store: Store): void {
  const now = store.clock.now()
  const acme = demoId('tenant:acme')
  const day = 86_400_000
  const parts: [label: string, tenant: string, category: string, number: string, name: string, qty: number, reorder: number, reorderQty: number, cost: number, unit: string, location: string, supplier: string, mpn: string][] = [
    ['part:acme:1', acme, 'category:acme:1', 'BRG-6205-2RS', 'Deep groove ball bearing 6205-2RS', 22, 10, 20, 8.5, 'each', 'Store A, Bin 12', 'SKF Distribution', 'SKF 6205-2RSH'],
    ['part:acme:2', acme, 'category:acme:2', 'BLT-A42', 'V-belt A42', 3, 5, 10, 12.75, 'each', 'Store A, Bin 4', 'Gates Industrial', 'Gates A42'],
    ['part:acme:3', acme, 'category:acme:3', 'FLT-HYD-10', 'Hydraulic return filter 10 µm', 8, 4, 6, 46, 'each', 'Store B, Shelf 2', 'Hydac Service', 'HYDAC 0160R010BN4HC'],
    ['part:acme:4', acme, 'category:acme:4', 'ELC-CT-24', 'Contactor 24 V DC coil', 6, 2, 4, 38.9, 'each', 'Electrical cabinet store', 'Automation Direct', 'Siemens 3RT2016-1BB41'],
    ['part:globex:1', demoId('tenant:globex'), 'category:globex:1', 'GLX-SPN-01', 'Lathe spindle bearing set', 2, 1, 2, 420, 'set', 'Plant 1 crib', 'Globex Supply', 'NSK 7014CTYNDBLP4'],
  ]
  for (const [label, tenant, category, number, name, qty, reorder, reorderQty, cost, unit, location, supplier, mpn] of parts) {
    spareParts(store).add({
      id: demoId(label), tenant_id: tenant, part_number: number, name, category_id: demoId(category), quantity_on_hand: qty,
      reorder_point: reorder, reorder_quantity: reorderQty, unit_cost: cost, unit, location, supplier, manufacturer_part_number: mpn,
      created_at: now - 30 * day, updated_at: now - 7 * day,
    })
  }
  stockTransactions(store).add({
    id: demoId('inventory-transaction:acme:1'), tenant_id: acme, part_id: demoId('part:acme:1'), type: 'receive', quantity: 20,
    quantity_after: 24, notes: 'PO 4500012345', created_by: demoId('user:operator@acme.example'), created_at: now - 7 * day,
  })
  // two bearings went into the demo work order "Replace spindle bearing" (work-order:acme:1)
  const workOrder = demoId('work-order:acme:1')
  stockTransactions(store).add({
    id: demoId('inventory-transaction:acme:2'), tenant_id: acme, part_id: demoId('part:acme:1'), type: 'consume', quantity: 2,
    quantity_after: 22, notes: `Work order ${workOrder}`, created_by: demoId('user:operator@acme.example'), created_at: now - 2 * day,
  })
  workOrderParts(store).add({
    id: demoId('work-order-part:acme:1'), tenant_id: acme, work_order_id: workOrder, spare_part_id: demoId('part:acme:1'), quantity: 2,
    created_by: demoId('user:operator@acme.example'), created_at: now - 2 * day,
  })
}
