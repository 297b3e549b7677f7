import { z } from 'zod'
import type { Context } from 'hono'
import type { AppEnv } from '../context.js'
import { Resource } from '../endpoint.js'
import { jwtAnyRole, jwtAdmin as admin } from '../access.js'
import { found } from '../errors.js'
import { queryBool } from '../validate.js'
import { minutesOf, timeOfDay } from './calendar.js'
import { isoSeconds } from '../../clock.js'
import { defineTable } from '../../store/table.js'
import { demoId } from '../../store/demo.js'
import type { Store } from '../../store/store.js'

/** A named daily shift window, UTC times of day; `end_time` ≤ `start_time` crosses midnight. */
export interface ShiftDefinition {
  id: string
  tenant_id: string
  name: string
  start_time: string
  end_time: string
  color: string
  is_active: boolean
  created_at: number
  updated_at: number
}

/** Shift definitions (read by the shift logs and reports). */
export const shiftDefinitions = defineTable<ShiftDefinition>('shift_definitions')

const color = z.string().regex(/^#[0-9A-Fa-f]{6}$/)
const name = z.string().min(1).max(100)

const ShiftDefinitionCreate = z.object({
  name,
  start_time: timeOfDay,
  end_time: timeOfDay,
  color: color.default('#3B82F6'),
  is_active: z.boolean().default(true),
})
const ShiftDefinitionUpdate = z.object({
  name: name.optional(),
  start_time: timeOfDay.optional(),
  end_time: timeOfDay.optional(),
  color: color.optional(),
  is_active: z.boolean().optional(),
})
const ShiftDefinitionQuery = z.object({ active_only: queryBool.default(true) })

/** The shift definition object. */
export const ShiftDefinitionOut = z.object({
  id: z.uuid(), name: z.string(), start_time: z.string(), end_time: z.string(), color: z.string(), is_active: z.boolean(),
  created_at: z.iso.datetime(), updated_at: z.iso.datetime(),
})

/** A shift definition as the API answers it. */
export const presentShiftDefinition = (d: ShiftDefinition) => ({
  id: d.id, name: d.name, start_time: d.start_time, end_time: d.end_time, color: d.color, is_active: d.is_active,
  created_at: isoSeconds(d.created_at), updated_at: isoSeconds(d.updated_at),
})

/** Whether the UTC time of `epochMs` lies in the shift's window (start inclusive, end exclusive; equal times = all day). */
export function shiftContains(d: ShiftDefinition, epochMs: number): boolean {
  const t = Math.floor((epochMs % 86_400_000) / 60_000)
  const s = minutesOf(d.start_time)
  const e = minutesOf(d.end_time)
  if (s === e) return true
  return s < e ? t >= s && t < e : t >= s || t < e
}

/** The tenant's definitions by start time, then name. */
export const definitionsOf = (store: Store, tenantId: string, keep?: (d: ShiftDefinition) => boolean): ShiftDefinition[] =>
  shiftDefinitions(store).of(tenantId, keep).sort((a, b) => a.start_time.localeCompare(b.start_time) || a.name.localeCompare(b.name))

function definitionOf(c: Context<AppEnv>, id: string): ShiftDefinition {
  return found(shiftDefinitions(c.get('deps').store).get(c.get('caller').tenant.id, id), 'shift_definition_not_found')
}


/** `/shifts/definitions` (reference section 13): reads any role, writes admin. */
export const shiftDefinitionsResource = new Resource('/shifts', 'Shifts')
  .get('/definitions', {
    summary: 'List shift definitions (active ones unless active_only=false)', access: jwtAnyRole,
    query: ShiftDefinitionQuery, status: 200, response: z.array(ShiftDefinitionOut),
    handle(c, { query }) {
      const list = definitionsOf(c.get('deps').store, c.get('caller').tenant.id, (d) => !query.active_only || d.is_active)
      return c.json(list.map(presentShiftDefinition))
    },
  })
  .post('/definitions', {
    summary: 'Create a shift definition', access: admin, body: ShiftDefinitionCreate, status: 201, response: ShiftDefinitionOut,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const now = clock.now()
      const d = shiftDefinitions(store).add({ id: store.id(), tenant_id: c.get('caller').tenant.id, ...body, created_at: now, updated_at: now })
      return c.json(presentShiftDefinition(d), 201)
    },
  })
  .put('/definitions/:id', {
    summary: 'Update a shift definition (fields left out stay)', access: admin, body: ShiftDefinitionUpdate, status: 200,
    response: ShiftDefinitionOut, errors: ['shift_definition_not_found'],
    handle(c, { params, body }) {
      const d = definitionOf(c, params.id)
      Object.assign(d, Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)), { updated_at: c.get('deps').clock.now() })
      return c.json(presentShiftDefinition(d))
    },
  })
  .delete('/definitions/:id', {
    summary: 'Delete a shift definition (its logs stay)', access: admin, status: 204, errors: ['shift_definition_not_found'],
    handle(c, { params }) {
      shiftDefinitions(c.get('deps').store).delete(definitionOf(c, params.id).id)
      return c.body(null, 204)
    },
  })
  .demo(seedShiftDefinitions)

/** Demo shifts: Acme Early/Late/Night (`shift-definition:acme:1|2|3`), Globex Day (`shift-definition:globex:1`). */
function seedShiftDefinitions(store: Store): void {
  const rows: [label: string, tenant: string, name: string, start: string, end: string, color: string][] = [
    ['acme:1', 'acme', 'Early', '06:00', '14:00', '#3B82F6'],
    ['acme:2', 'acme', 'Late', '14:00', '22:00', '#F59E0B'],
    ['acme:3', 'acme', 'Night', '22:00', '06:00', '#6366F1'],
    ['globex:1', 'globex', 'Day', '07:00', '15:00', '#10B981'],
  ]
  const createdAt = Date.UTC(2026, 0, 5, 8, 0, 0)
  for (const [label, tenant, name, start, end, color] of rows) {
    shiftDefinitions(store).add({
      id: demoId(`shift-definition:${label}`), tenant_id: demoId(`tenant:${tenant}`), name, start_time: start, end_time: end,
      color, is_active: true, created_at: createdAt, updated_at: createdAt,
    })
  }
}
