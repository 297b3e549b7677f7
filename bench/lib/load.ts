// The load: autocannon against one server child, with the server's CPU and memory read around the
// measured window.
import autocannon, { type Result } from 'autocannon'
import type { Child } from './children.js'
import { BenchFailure, round, route } from './common.js'

/** The load every target gets: from the --connections, --warmup and --duration flags. */
export interface LoadSettings {
  connections: number
  /** Unmeasured seconds before the measured run (0 = none). */
  warmup: number
  /** Measured seconds. */
  duration: number
}

export interface Measurement {
  target: string
  url: string
  headers: Record<string, string>
  reqPerS: number
  requests: number
  /** From every response's own time (sub-millisecond); autocannon's histogram is whole ms. */
  p50Ms: number
  p99Ms: number
  meanMs: number
  autocannonP50Ms: number
  autocannonP99Ms: number
  throughputMBPerS: number
  /** Resident set of the server once listening (before any load), after the run, and its peak. */
  serverIdleRssMB: number
  serverRssMB: number
  serverMaxRssMB: number
  /** Server CPU time over the measured window / wall time (100 = one core busy). */
  serverCpuPct: number
  /** Server CPU time per answered request, microseconds: less sensitive than req/s to other work on the machine. */
  serverCpuUsPerReq: number
  /** The load generator's (this process's) CPU over the same window. */
  loadGenCpuPct: number
  ratioToBaseline?: number
  /** With --rounds > 1: req/s of every round (the row is the median round). */
  roundsReqPerS?: number[]
}

/**
 * One autocannon run on loopback: `connections` keep-alive connections, no pipelining; with
 * `overallRate`, at that fixed request rate across them (npm run bench:pair), else as fast as answered.
 */
export function load(url: string, headers: Record<string, string>, connections: number, seconds: number, onTime?: (ms: number) => void, overallRate?: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    // overallRate is an autocannon option its type definitions leave out
    const opts = { url, headers, connections, duration: seconds, pipelining: 1, timeout: 10, ...(overallRate ? { overallRate } : {}) }
    const instance = autocannon(opts as Parameters<typeof autocannon>[0], (err, result) => (err ? reject(err) : resolve(result)))
    if (onTime) instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => onTime(ms))
  })
}

/** Throws unless every request of the run got a 2xx, without errors or timeouts. */
export function assertClean(target: string, phase: string, r: Result): void {
  const bad = r.non2xx + r.errors + r.timeouts + r.resets
  if (bad === 0 && r['2xx'] > 0) return
  const codes = Object.entries(r.statusCodeStats).map(([code, { count }]) => `${code}: ${count}`).join(', ')
  throw new BenchFailure(
    `${target} (${phase}): ${r.non2xx} non-2xx responses, ${r.errors} errors, ${r.timeouts} timeouts, ${r.resets} resets ` +
      `out of ${r.requests.sent} requests (status codes: ${codes || 'none'})`,
  )
}

/**
 * For servers that compile as they run (the JVM): `step`-second runs of the same load, unmeasured,
 * until two runs in a row gain less than `tolerance` over the best run before them, or `max` seconds
 * have passed. Each run must be clean. Returns the req/s of every run.
 */
export async function warmUntilSteady(target: string, child: Child, headers: Record<string, string>, connections: number, max: number, step = 2, tolerance = 0.05): Promise<number[]> {
  const rates: number[] = []
  let best = 0
  let flat = 0
  for (let spent = 0; spent + step <= max && flat < 2; spent += step) {
    const r = await load(child.url + route, headers, connections, step)
    assertClean(target, 'JIT warm-up', r)
    const rate = r.requests.average
    rates.push(Math.round(rate))
    flat = rates.length > 1 && rate < best * (1 + tolerance) ? flat + 1 : 0
    best = Math.max(best, rate)
  }
  return rates
}

const quantile = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN

/** Warms `child` up, then measures `GET <route>` with `headers`; prints its progress on one line. */
export async function measure(target: string, child: Child, headers: Record<string, string>, { connections, warmup, duration }: LoadSettings): Promise<Measurement> {
  const url = child.url + route
  const idle = await child.stats()
  if (warmup > 0) {
    process.stdout.write(`  ${target}: warm-up ${warmup}s ... `)
    assertClean(target, 'warm-up', await load(url, headers, connections, warmup))
  } else process.stdout.write(`  ${target}: `)
  process.stdout.write(`measuring ${duration}s ... `)
  let times = new Float64Array(1 << 20)
  let n = 0
  const before = await child.stats()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const r = await load(url, headers, connections, duration, (ms) => {
    if (n === times.length) {
      const grown = new Float64Array(times.length * 2)
      grown.set(times)
      times = grown
    }
    times[n++] = ms
  })
  const wallUs = (performance.now() - t0) * 1000
  const cpu = process.cpuUsage(cpu0)
  const after = await child.stats()
  assertClean(target, 'measured run', r)
  const sorted = times.subarray(0, n).sort()
  const serverCpuUs = after.cpuUserUs + after.cpuSystemUs - before.cpuUserUs - before.cpuSystemUs
  const m: Measurement = {
    target,
    url,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, k.toLowerCase() === 'authorization' ? 'Bearer <token>' : v])),
    reqPerS: r.requests.average,
    requests: r.requests.total,
    p50Ms: round(quantile(sorted, 0.5), 3),
    p99Ms: round(quantile(sorted, 0.99), 3),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / n, 3),
    autocannonP50Ms: r.latency.p50,
    autocannonP99Ms: r.latency.p99,
    throughputMBPerS: round(r.throughput.average / 1e6, 2),
    serverIdleRssMB: round(idle.rssBytes / 2 ** 20, 1),
    serverRssMB: round(after.rssBytes / 2 ** 20, 1),
    serverMaxRssMB: round(after.maxRssBytes / 2 ** 20, 1),
    serverCpuPct: round((serverCpuUs / wallUs) * 100, 0),
    serverCpuUsPerReq: round(serverCpuUs / n, 1),
    loadGenCpuPct: round(((cpu.user + cpu.system) / wallUs) * 100, 0),
  }
  console.log(`${Math.round(m.reqPerS)} req/s`)
  return m
}
