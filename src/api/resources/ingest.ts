import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { ingestItemErrors } from '../errors.js'
import { datetime } from '../validate.js'
import { evaluateReadings, setMachineStatus } from './alerting.js'
import { isoSeconds } from '../../clock.js'
import type { Reading } from '../../store/records.js'

/** Per-item limits of a reading (reference section 8). */
export const ingestLimits = { maxReadings: 1000, maxMetricNameChars: 255, maxFutureMs: 5 * 60_000, maxPastMs: 3650 * 86_400_000 }

// `value` is any JSON number, NaN and ±Infinity included: finiteness is a per-item check (207).
const anyNumber = z.custom<number>((v) => typeof v === 'number', { params: { type: 'float_type', msg: 'Input should be a valid number' } })
const ReadingIn = z.object({
  machine_identifier: z.string(),
  timestamp: datetime,
  metric_name: z.string(),
  value: anyNumber,
  unit: z.string(),
  raw_tag: z.string().nullish(),
})
const Batch = z.object({ readings: z.array(ReadingIn).min(1).max(ingestLimits.maxReadings) })

/** `POST /ingest`: batch ingestion by API key with scope `ingest`; always 207. */
export const ingestResource = new Resource('/ingest', 'Sensor data').post('/', {
  summary: 'Batch ingestion (207 with per-item errors)', access: { credential: 'key', scope: 'ingest' }, body: Batch, status: 207,
  response: z.object({
    accepted_count: z.int(), rejected_count: z.int(),
    errors: z.array(z.object({ index: z.int(), machine_identifier: z.string(), error: z.enum(Object.values(ingestItemErrors) as [string, ...string[]]) })),
  }),
  handle(c, { body }) {
    const deps = c.get('deps')
    const { store, clock } = deps
    const tenantId = c.get('caller').tenant.id
    const now = clock.now()
    const errors: { index: number; machine_identifier: string; error: string }[] = []
    const accepted = new Map<string, Reading[]>()
    const byIdentifier = new Map(store.machinesOf(tenantId).map((m) => [m.machine_identifier, m]))
    body.readings.forEach((r, index) => {
      const machine = byIdentifier.get(r.machine_identifier)
      const error = !machine
        ? ingestItemErrors.machine_not_found
        : !Number.isFinite(r.value)
          ? ingestItemErrors.value_not_finite
          : r.timestamp > now + ingestLimits.maxFutureMs || r.timestamp < now - ingestLimits.maxPastMs
            ? ingestItemErrors.timestamp_out_of_range
            : r.metric_name.length > ingestLimits.maxMetricNameChars
              ? ingestItemErrors.metric_name_too_long
              : null
      if (error || !machine) return void errors.push({ index, machine_identifier: r.machine_identifier, error: error! })
      let list = accepted.get(machine.id)
      if (!list) accepted.set(machine.id, (list = []))
      list.push({ metric_name: r.metric_name, value: r.value, unit: r.unit, timestamp: r.timestamp, raw_tag: r.raw_tag ?? null })
    })
    for (const [machineId, list] of accepted) {
      store.addReadings(machineId, list)
      const machine = store.machines.get(machineId)!
      if (deps.events.active) {
        for (const r of list) {
          deps.events.emit({ type: 'sensor_update', tenant_id: tenantId, machine_id: machineId, metric_name: r.metric_name, value: r.value, unit: r.unit, timestamp: isoSeconds(r.timestamp) })
        }
      }
      // A machine's first accepted reading brings it online (emulator choice).
      if (machine.status === 'offline') setMachineStatus(deps, machine, 'healthy')
      evaluateReadings(deps, machine, list)
    }
    let acceptedCount = 0
    for (const list of accepted.values()) acceptedCount += list.length
    return c.json({ accepted_count: acceptedCount, rejected_count: errors.length, errors }, 207)
  },
})
