// The report: the Markdown table printed at the end of a run, and the engine's ratios against their goals.
import type { Measurement } from './load.js'

export function table(rows: Measurement[]): string {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'server RSS MB idle/after', 'server CPU %', 'server CPU µs/req', 'loadgen CPU %', 'vs baseline']
  const body = rows.map((m) => [
    m.target,
    String(Math.round(m.reqPerS)),
    m.p50Ms.toFixed(3),
    m.p99Ms.toFixed(3),
    `${m.serverIdleRssMB.toFixed(0)} / ${m.serverRssMB.toFixed(0)}`,
    String(m.serverCpuPct),
    m.serverCpuUsPerReq.toFixed(1),
    String(m.loadGenCpuPct),
    m.ratioToBaseline === undefined ? '' : m.ratioToBaseline.toFixed(2),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |'
  const sep = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|'
  return [line(head), sep, ...body.map(line)].join('\n')
}

/** One of the engine's goals, measured: req/s of `target` / req/s of `reference`, at least `goal`. */
export interface Comparison {
  label: string
  target: string
  reference: string
  goal: number
  ratio: number
  met: boolean
  /** Server CPU µs per request of both rows. */
  cpuUsPerReq: { target: number; reference: number }
  /** With --rounds > 1: the ratio within each round (both targets measured in the same round). */
  roundsRatio?: number[]
}

/** The engine's ratios next to their goals, one line each. */
export function engineSection(comparisons: Comparison[]): string {
  const width = Math.max(...comparisons.map((c) => c.label.length))
  const lines = comparisons.map((c) => {
    const cpu = c.cpuUsPerReq
    const cpuChange = Math.round((cpu.target / cpu.reference - 1) * 100)
    return (
      `  ${(c.label + ':').padEnd(width + 1)} ${c.ratio.toFixed(2)} (goal ≥ ${c.goal.toFixed(2)}) ${c.met ? 'met   ' : 'MISSED'}` +
      `  server CPU µs/req ${cpu.reference.toFixed(1)} → ${cpu.target.toFixed(1)} (${cpuChange >= 0 ? '+' : ''}${cpuChange} %)` +
      (c.roundsRatio ? `  per round: ${c.roundsRatio.map((r) => r.toFixed(2)).join(', ')}` : '')
    )
  })
  return ['engine: req/s of the target / req/s of the reference (the goal is the lowest acceptable ratio)', ...lines].join('\n')
}
