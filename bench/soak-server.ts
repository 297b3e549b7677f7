// The soak's server: the emulator with the journal on (1,000 entries a session, the default), rate
// limits out of reach (still counted) and the soak scenario active in every session, run as a child
// of bench/soak.ts with --expose-gc.
//
//   node --expose-gc bin/run-ts.js bench/soak-server.ts     (SOAK_SEED=<n>; needs an IPC channel)
//
// Over IPC: sends `{ type: 'ready', url }` once listening; answers `{ type: 'sample' }` with its
// memory after a full, compacting garbage collection and a second of rest, and what its state
// holds; exits on `{ type: 'stop' }` or when the parent goes away.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'
import { createMockServer } from '../src/server.js'
import { defaultRateLimits, type RateLimitTable } from '../src/api/rate-limits.js'
import { activeHangs } from '../src/faults/kinds/hang.js'
import { soakScenario } from './lib/soak-mix.js'

/** Messages from the parent. */
export type ToSoakServer = { type: 'sample' } | { type: 'stop' }
/** What one sample holds. */
export interface SoakSample {
  rssBytes: number
  /** The highest RSS so far (the kernel's high-water mark, load included). */
  maxRssBytes: number
  heapUsedBytes: number
  heapTotalBytes: number
  externalBytes: number
  cpuUs: number
  /** Machines in the store (soft-deleted ones included) and of them deleted. */
  machines: number
  deletedMachines: number
  readings: number
  journalEntries: number
  sessions: number
  hangs: number
  /** Node's active handles by type (sockets, timers, ...) once the load has stopped. */
  resources: Record<string, number>
  /** V8's heap spaces: size (committed) and used, bytes. */
  spaces: Record<string, { size: number; used: number }>
}
/** Messages to the parent. */
export type FromSoakServer = { type: 'ready'; url: string } | ({ type: 'sample' } & SoakSample)

if (!process.send) throw new Error('bench/soak-server.ts runs as a child of bench/soak.ts (needs an IPC channel)')
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('bench/soak-server.ts needs node --expose-gc')

const unlimited = Object.fromEntries(Object.entries(defaultRateLimits).map(([tier, bucket]) => [tier, { ...bucket, limit: 1e9 }])) as RateLimitTable
const server = createMockServer({
  seed: Number(process.env.SOAK_SEED ?? 1),
  logLevel: 'silent',
  rateLimitTable: unlimited,
  // one login serves the whole run, however long it takes
  accessTokenTtlS: 7 * 86_400,
  inlineScenarios: [soakScenario],
})
const url = await server.listen(0, '127.0.0.1')

/** Idle time between the collection and the reading, milliseconds. */
const settleMs = 1_000

async function sample(): Promise<SoakSample> {
  // before the collection: the CPU time between two samples is the load's
  const cpu = process.cpuUsage()
  // compacting every page, so that the heap gives back what a regular full collection keeps
  // committed (pages half empty after the load, then RSS says more about the collector's timing
  // than about what the server holds); for these collections only, the load runs without it
  setFlagsFromString('--compact-on-every-full-gc')
  gc!()
  gc!()
  setFlagsFromString('--no-compact-on-every-full-gc')
  // V8 hands the freed pages back to the system on a thread of its own: read RSS once it has
  // (read at once, one sample in ten came out tens of MB off)
  await new Promise((resolve) => setTimeout(resolve, settleMs))
  const mem = process.memoryUsage()
  const { store, journal, engine } = server.deps
  let deletedMachines = 0
  for (const m of store.machines.values()) if (m.deleted_at !== null) deletedMachines++
  let readings = 0
  for (const byMetric of store.readings.allSeries().values()) for (const list of byMetric.values()) readings += list.length
  const resources: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1
  return {
    rssBytes: mem.rss, maxRssBytes: process.resourceUsage().maxRSS * 1024, heapUsedBytes: mem.heapUsed, heapTotalBytes: mem.heapTotal, externalBytes: mem.external, cpuUs: cpu.user + cpu.system,
    machines: store.machines.size, deletedMachines, readings, journalEntries: journal.list().length, sessions: engine.allSessions().length,
    hangs: activeHangs(), resources,
    spaces: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }])),
  }
}

const send = (msg: FromSoakServer) => process.send!(msg)
const stop = async () => {
  await server.close()
  process.exit(0)
}
process.on('message', (msg: ToSoakServer) => void (msg.type === 'stop' ? stop() : sample().then((s) => send({ type: 'sample', ...s }))))
process.on('disconnect', () => void stop())
send({ type: 'ready', url })
