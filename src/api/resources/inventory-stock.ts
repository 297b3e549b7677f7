/**
 * Spare-parts records shared by the inventory routers (parts, categories, work-order parts):
 * their tables, the one stock movement every quantity change goes through, and the part object.
 */
import { z } from 'zod'
import type { Context } from 'hono'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import { isoSeconds } from '../../clock.js'
import { defineTable } from '../../store/table.js'

/** A part category (`/inventory/categories`). */
export interface PartCategory {
  id: string
  tenant_id: string
  name: string
  description: string | null
  created_at: number
}

/** A spare part (`/inventory/parts`); quantities in the part's `unit`. */
export interface SparePart {
  id: string
  tenant_id: string
  part_number: string
  name: string
  category_id: string | null
  quantity_on_hand: number
  reorder_point: number
  reorder_quantity: number
  unit_cost: number | null
  unit: string
  location: string | null
  supplier: string | null
  manufacturer_part_number: string | null
  created_at: number
  updated_at: number
}

export const transactionTypes = ['receive', 'consume', 'adjust', 'return', 'transfer'] as const
export type TransactionType = (typeof transactionTypes)[number]

/** One stock movement; `quantity` as given (signed for `adjust`), `quantity_after` the new stock. */
export interface StockTransaction {
  id: string
  tenant_id: string
  part_id: string
  type: TransactionType
  quantity: number
  quantity_after: number
  notes: string | null
  created_by: string | null
  created_at: number
}

/** A part used on a work order: its stock was consumed when added and returns when removed. */
export interface WorkOrderPart {
  id: string
  tenant_id: string
  work_order_id: string
  spare_part_id: string
  quantity: number
  created_by: string | null
  created_at: number
}

export const partCategories = defineTable<PartCategory>('part_categories')
export const spareParts = defineTable<SparePart>('spare_parts')
export const stockTransactions = defineTable<StockTransaction>('stock_transactions')
export const workOrderParts = defineTable<WorkOrderPart>('work_order_parts')

/** Low stock (reference section 14): `quantity_on_hand` ≤ `reorder_point`. */
export const isLowStock = (p: SparePart): boolean => p.quantity_on_hand <= p.reorder_point

/** Sign of each transaction type: receive/return add, consume/transfer take, adjust keeps `quantity`'s sign. */
const direction: Record<TransactionType, 1 | -1> = { receive: 1, return: 1, consume: -1, transfer: -1, adjust: 1 }

/** Removes one work-order use of a part, returning its stock (removal and work-order deletion). */
export function releasePartUse(c: Context<AppEnv>, use: WorkOrderPart): void {
  const { store } = c.get('deps')
  const part = spareParts(store).get(use.tenant_id, use.spare_part_id)
  if (part) moveStock(c, part, 'return', use.quantity, `Work order ${use.work_order_id}`)
  workOrderParts(store).delete(use.id)
}

/**
 * Moves a part's stock and records the transaction. Stock below zero is `400 Insufficient stock.`
 * and changes nothing (emulator choice from the reference's gap note).
 */
export function moveStock(c: Context<AppEnv>, part: SparePart, type: TransactionType, quantity: number, notes: string | null): StockTransaction {
  const { store, clock } = c.get('deps')
  const after = round(part.quantity_on_hand + direction[type] * quantity)
  if (after < 0) throw new ApiError('insufficient_stock')
  const now = clock.now()
  part.quantity_on_hand = after
  part.updated_at = now
  const caller = c.get('caller')
  return stockTransactions(store).add({
    id: store.id(), tenant_id: part.tenant_id, part_id: part.id, type, quantity, quantity_after: after, notes,
    created_by: caller.kind === 'jwt' ? caller.user.id : null, created_at: now,
  })
}

// Quantities may be fractional (litres, metres): keep sums free of binary noise like 0.30000000000000004.
const round = (v: number): number => Math.round(v * 1e6) / 1e6

/** Largest quantity, stock or cost a body may carry (emulator choice): larger is a 422. */
export const maxQuantity = 1e12

/** The part object of every inventory response; `is_low_stock` is computed (emulator choice). */
export const presentPart = (p: SparePart) => ({
  id: p.id,
  part_number: p.part_number,
  name: p.name,
  category_id: p.category_id,
  quantity_on_hand: p.quantity_on_hand,
  reorder_point: p.reorder_point,
  reorder_quantity: p.reorder_quantity,
  unit_cost: p.unit_cost,
  unit: p.unit,
  location: p.location,
  supplier: p.supplier,
  manufacturer_part_number: p.manufacturer_part_number,
  is_low_stock: isLowStock(p),
  created_at: isoSeconds(p.created_at),
  updated_at: isoSeconds(p.updated_at),
})

/** Response schema of the part object (OpenAPI). */
export const PartOut = z.object({
  id: z.uuid(), part_number: z.string(), name: z.string(), category_id: z.uuid().nullable(),
  quantity_on_hand: z.number(), reorder_point: z.number(), reorder_quantity: z.number(), unit_cost: z.number().nullable(),
  unit: z.string(), location: z.string().nullable(), supplier: z.string().nullable(), manufacturer_part_number: z.string().nullable(),
  is_low_stock: z.boolean(), created_at: z.string(), updated_at: z.string(),
})

/** A number > 0, with pydantic's `gt=0` item. */
export const positive = z.number().max(maxQuantity).superRefine((v, ctx) => {
  if (!(v > 0)) ctx.addIssue({ code: 'custom', params: { type: 'greater_than', msg: 'Input should be greater than 0' } })
})
