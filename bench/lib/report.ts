// The report: the Markdown table printed at the end of a run.
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
