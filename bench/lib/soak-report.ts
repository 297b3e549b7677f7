// The soak's printed curve and its verdict: how far memory strays from its post-warm-up mean.
import type { SoakSample } from '../soak-server.js'
import { round } from './common.js'

/** One sample of the run: after `requests` requests (0 = before any load). */
export interface SoakPoint extends SoakSample {
  index: number
  requests: number
  /** Wall seconds since the load started. */
  elapsedS: number
  /** Requests per second over the slice that ended here, and the server's CPU time per request in it, microseconds. */
  reqPerS: number
  cpuUsPerReq: number
  /** Status codes answered during that slice. */
  statuses: Record<string, number>
}

/** Max deviation of a series from its mean, as a share of the mean (0.05 = 5 %). */
export interface Deviation {
  meanMB: number
  minMB: number
  maxMB: number
  /** max |x − mean| / mean. */
  maxDeviation: number
  /** (last − first) of the judged samples, MB. */
  driftMB: number
}

const mb = (bytes: number) => bytes / 2 ** 20

/** How the judged samples' `bytes` stray from their mean. */
export function deviation(points: SoakPoint[], bytes: (p: SoakPoint) => number): Deviation {
  const values = points.map((p) => mb(bytes(p)))
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  return {
    meanMB: round(mean, 1),
    minMB: round(Math.min(...values), 1),
    maxMB: round(Math.max(...values), 1),
    maxDeviation: round(Math.max(...values.map((v) => Math.abs(v - mean))) / mean, 4),
    driftMB: round(values.at(-1)! - values[0]!, 1),
  }
}

const pad = (s: string | number, n: number) => String(s).padStart(n)
const compactStatuses = (s: Record<string, number>) =>
  Object.entries(s)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, n]) => `${code}:${n}`)
    .join(' ')

/** The curve as a table with a bar of RSS per sample (warm-up samples marked `w`). */
export function curve(points: SoakPoint[], warmupSamples: number): string {
  const maxRss = Math.max(...points.map((p) => mb(p.rssBytes)))
  const width = 30
  const lines = [
    `${pad('#', 3)} ${pad('requests', 9)} ${pad('s', 6)} ${pad('req/s', 6)} ${pad('µs/req', 6)} ${pad('RSS MB', 7)} ${pad('heap MB', 7)} ${pad('machines', 8)} ${pad('readings', 8)} ${pad('journal', 7)} ${pad('sessions', 8)}  RSS`.padEnd(width) +
      '  statuses of the slice',
  ]
  for (const p of points) {
    const bar = '#'.repeat(Math.round((mb(p.rssBytes) / maxRss) * width)).padEnd(width)
    const mark = p.index === 0 ? 'i' : p.index <= warmupSamples ? 'w' : ' '
    lines.push(
      `${pad(p.index, 3)} ${pad(p.requests, 9)} ${pad(p.elapsedS.toFixed(1), 6)} ${pad(Math.round(p.reqPerS), 6)} ${pad(Math.round(p.cpuUsPerReq), 6)} ${pad(mb(p.rssBytes).toFixed(1), 7)} ${pad(mb(p.heapUsedBytes).toFixed(1), 7)} ` +
        `${pad(p.machines, 8)} ${pad(p.readings, 8)} ${pad(p.journalEntries, 7)} ${pad(p.sessions, 8)} ${mark}${bar} ${compactStatuses(p.statuses)}`,
    )
  }
  lines.push('(i = idle, before any load; w = warm-up, not judged; µs/req = server CPU per request; machines counts the soft-deleted ones too)')
  return lines.join('\n')
}

/** `RSS: mean 123.4 MB (min … max), max deviation 3.2 % (goal ±10 %): met` */
export function verdictLine(what: string, d: Deviation, goal: number | null): string {
  const pct = (d.maxDeviation * 100).toFixed(1)
  const judged = goal === null ? '' : ` (goal ±${goal * 100} %): ${d.maxDeviation <= goal ? 'met' : 'MISSED'}`
  return `${what}: mean ${d.meanMB} MB (${d.minMB}–${d.maxMB}), first to last ${d.driftMB >= 0 ? '+' : ''}${d.driftMB} MB, max deviation from the mean ${pct} %${judged}`
}
