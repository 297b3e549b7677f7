import type { Reading } from './records.js'

/**
 * Readings kept per machine and metric: once a series reaches `readingsCapPerMetric` plus
 * `readingsTrimSlack`, its oldest are dropped down to the cap in one go. (Dropping the oldest on
 * every reading shifted the whole array each time: about 0.1 ms a reading at the cap.)
 */
export const readingsCapPerMetric = 100_000
export const readingsTrimSlack = 10_000

/** Sensor readings per machine and metric, each series kept in ascending time. */
export class ReadingStore {
  private series = new Map<string, Map<string, Reading[]>>()

  /** Inserts readings in time order (usually appended: edge agents send in order). */
  add(machineId: string, readings: Reading[]): void {
    let byMetric = this.series.get(machineId)
    if (!byMetric) this.series.set(machineId, (byMetric = new Map()))
    for (const r of readings) {
      let list = byMetric.get(r.metric_name)
      if (!list) byMetric.set(r.metric_name, (list = []))
      if (list.length === 0 || list[list.length - 1]!.timestamp <= r.timestamp) list.push(r)
      else list.splice(upperBound(list, r.timestamp), 0, r)
      if (list.length >= readingsCapPerMetric + readingsTrimSlack) list.splice(0, list.length - readingsCapPerMetric)
    }
  }

  /** The newest reading of every metric of a machine, by metric name. */
  latest(machineId: string): Reading[] {
    const byMetric = this.series.get(machineId)
    if (!byMetric) return []
    return [...byMetric.values()].map((list) => list[list.length - 1]!).sort((a, b) => (a.metric_name < b.metric_name ? -1 : 1))
  }

  /** Readings in [startMs, endMs], ascending in time, at most `limit` (the oldest first). */
  query(machineId: string, opts: { metric?: string; startMs: number; endMs: number; limit: number }): Reading[] {
    const byMetric = this.series.get(machineId)
    if (!byMetric) return []
    const lists = opts.metric !== undefined ? [byMetric.get(opts.metric) ?? []] : [...byMetric.values()]
    const out: Reading[] = []
    for (const list of lists) {
      // a series gives at most its `limit` oldest in range: no more can be among the answer's
      const start = lowerBound(list, opts.startMs)
      const stop = Math.min(list.length, start + opts.limit)
      for (let i = start; i < stop && list[i]!.timestamp <= opts.endMs; i++) out.push(list[i]!)
    }
    out.sort((a, b) => a.timestamp - b.timestamp || (a.metric_name < b.metric_name ? -1 : a.metric_name > b.metric_name ? 1 : 0))
    return out.slice(0, opts.limit)
  }

  /** Every series by machine and metric, ascending in time (snapshots read them; not to be changed). */
  allSeries(): ReadonlyMap<string, ReadonlyMap<string, readonly Reading[]>> {
    return this.series
  }

  /** Drops every reading of a machine. */
  forget(machineId: string): void {
    this.series.delete(machineId)
  }

  /** Whether the machine has any reading. */
  has(machineId: string): boolean {
    return this.series.has(machineId)
  }
}

function lowerBound(list: Reading[], t: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (list[mid]!.timestamp < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

function upperBound(list: Reading[], t: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (list[mid]!.timestamp <= t) lo = mid + 1
    else hi = mid
  }
  return lo
}
