import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { found } from '../errors.js'
import { datetime, queryInt } from '../validate.js'
import { isoSeconds } from '../../clock.js'
import type { Reading } from '../../store/records.js'

const read = { credential: 'jwt_or_key', permission: 'read', scope: 'read:sensors' } as const
/** Time-series query (emulator choice: the reference documents no parameters). */
const SeriesQuery = z.object({
  metric_name: z.string().max(255).optional(),
  start: datetime.optional(),
  end: datetime.optional(),
  limit: queryInt(1, 10_000, 1000),
})

const ReadingsOut = z.object({
  machine_id: z.uuid(),
  readings: z.array(z.object({ metric_name: z.string(), value: z.number(), unit: z.string(), timestamp: z.iso.datetime() })),
})

const presentReading = (r: Reading) => ({ metric_name: r.metric_name, value: r.value, unit: r.unit, timestamp: isoSeconds(r.timestamp) })

/** `/machines/{machine_id}/readings[/latest]` (reference section 8). */
export const readingsResource = new Resource('/machines', 'Sensor data')
  .get('/:machine_id/readings/latest', {
    summary: 'Latest reading per metric', access: read, status: 200, errors: ['machine_not_found'], response: ReadingsOut,
    handle(c, { params }) {
      const { store } = c.get('deps')
      const machine = found(store.machine(c.get('caller').tenant.id, params.machine_id), 'machine_not_found')
      return c.json({ machine_id: machine.id, readings: store.readings.latest(machine.id).map(presentReading) })
    },
  })
  .get('/:machine_id/readings', {
    summary: 'Time-series readings', access: read, query: SeriesQuery, status: 200, errors: ['machine_not_found'], response: ReadingsOut,
    handle(c, { params, query: q }) {
      const { store, clock } = c.get('deps')
      const machine = found(store.machine(c.get('caller').tenant.id, params.machine_id), 'machine_not_found')
      const endMs = q.end ?? clock.now()
      const startMs = q.start ?? endMs - 86_400_000
      const list = store.readings.query(machine.id, { metric: q.metric_name, startMs, endMs, limit: q.limit })
      return c.json({ machine_id: machine.id, readings: list.map(presentReading) })
    },
  })
