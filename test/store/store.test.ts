import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { Rng } from '../../src/rng.js'
import { deletedMachinesKept, deletedMachinesSlack, Store } from '../../src/store/store.js'
import type { Machine } from '../../src/store/records.js'

function machine(store: Store, n: number): Machine {
  const now = store.clock.now()
  return store.addMachine({
    id: store.id(), tenant_id: 't', name: `M${n}`, machine_identifier: `M-${n}`, protocol: 'json', location: null, group_id: null,
    status: 'offline', is_active: true, created_at: now, updated_at: now, deleted_at: null,
  })
}

describe('soft-deleted machines', () => {
  it(`keeps the latest ${deletedMachinesKept} to ${deletedMachinesKept + deletedMachinesSlack} deletions; the earliest go with their readings`, () => {
    const clock = new ManualClock()
    const store = new Store(clock, new Rng(1))
    const live = machine(store, 0)
    // a machine deleted before the store was restored, read back from its deleted_at
    const restored = machine(store, -1)
    restored.deleted_at = clock.now() - 1
    const deleted: Machine[] = []
    // one short of the bound, counting the restored one
    const full = deletedMachinesKept + deletedMachinesSlack
    for (let n = 1; n < full - 1; n++) {
      const m = machine(store, n)
      store.addReadings(m.id, [{ metric_name: 'temp', value: 1, unit: 'u', timestamp: clock.now(), raw_tag: null }])
      clock.advance(1)
      store.deleteMachine(m, clock.now())
      deleted.push(m)
    }
    expect(store.machines.size).toBe(full)
    expect([deleted[0]!.deleted_at, deleted[0]!.is_active]).toEqual([clock.now() - deleted.length + 1, false])

    const last = machine(store, 10_000)
    store.deleteMachine(last, clock.now())
    expect(store.machines.size).toBe(deletedMachinesKept + 1)
    const kept = deleted.slice(-(deletedMachinesKept - 1))
    expect([...store.machines.values()]).toEqual([live, ...kept, last])
    expect(store.readings.has(deleted[0]!.id)).toBe(false)
    expect(store.readings.has(kept[0]!.id)).toBe(true)
    expect(store.machine('t', live.id)).toBe(live)
  })
})
