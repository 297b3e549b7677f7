import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtOperate } from '../access.js'
import { found } from '../errors.js'
import { text255 } from './users-view.js'
import { uuidParam } from '../validate.js'
import { demoId } from '../../store/demo.js'
import { defineTable } from '../../store/table.js'
import type { Store } from '../../store/store.js'

/** Most mappings in one request (emulator choice). */
export const maxMappingsPerRequest = 500

interface TagMapping {
  tag: string
  metric_name: string
  unit: string | null
}
/** A machine's mappings, keyed by tag in first-mapped order; the row id is the machine id. */
interface MachineTagMappings {
  id: string
  tenant_id: string
  mappings: Map<string, TagMapping>
}
const tagMappings = defineTable<MachineTagMappings>('tag_mappings')

const MappingsCreate = z.object({
  machine_id: uuidParam,
  mappings: z.array(z.object({ tag: text255, metric_name: text255, unit: z.string().max(50).nullish() })).min(1).max(maxMappingsPerRequest),
})

const mappingsShape = z.object({
  machine_id: z.uuid(),
  mappings: z.array(z.object({ tag: z.string(), metric_name: z.string(), unit: z.string().nullable() })),
})

/**
 * `POST /sensor-data/tag-mappings` (reference section 8). Mappings merge by tag: a tag mapped again
 * takes the new metric and unit in its old place, new tags are appended; the response is all the
 * machine's stored mappings.
 */
export const tagMappingsResource = new Resource('/sensor-data/tag-mappings', 'Sensor data')
  .post('/', {
    summary: "Map source tags to metric names (merged by tag; echoes the machine's mappings)", access: jwtOperate,
    body: MappingsCreate, status: 201, errors: ['machine_not_found'], response: mappingsShape,
    handle(c, { body }) {
      const { store } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const machine = found(store.machine(tenantId, body.machine_id), 'machine_not_found')
      const row = mappingsOf(store, tenantId, machine.id)
      for (const m of body.mappings) row.mappings.set(m.tag, { tag: m.tag, metric_name: m.metric_name, unit: m.unit ?? null })
      return c.json({ machine_id: machine.id, mappings: [...row.mappings.values()] }, 201)
    },
  })
  .demo((store) => {
    const cnc = demoId('machine:acme:CNC-001')
    const row = mappingsOf(store, demoId('tenant:acme'), cnc)
    row.mappings.set('ns=2;s=Spindle.Temperature', { tag: 'ns=2;s=Spindle.Temperature', metric_name: 'temperature', unit: 'celsius' })
    row.mappings.set('ns=2;s=Spindle.Vibration', { tag: 'ns=2;s=Spindle.Vibration', metric_name: 'vibration', unit: 'mm/s' })
  })

/** The machine's mapping row, created empty on first use. (A deleted machine keeps its row; nothing reads it.) */
function mappingsOf(store: Store, tenantId: string, machineId: string): MachineTagMappings {
  const table = tagMappings(store)
  return table.get(tenantId, machineId) ?? table.add({ id: machineId, tenant_id: tenantId, mappings: new Map() })
}
