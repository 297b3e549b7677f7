import { describe, expect, it } from 'vitest'
import { ReadingStore, readingsCapPerMetric, readingsTrimSlack } from '../../src/store/readings.js'
import type { Reading } from '../../src/store/records.js'

const reading = (metric_name: string, timestamp: number, value = 1): Reading => ({ metric_name, value, unit: 'u', timestamp, raw_tag: null })

describe('ReadingStore', () => {
  it(`keeps a series between ${readingsCapPerMetric} and ${readingsCapPerMetric + readingsTrimSlack} readings, dropping the oldest in one go`, () => {
    const store = new ReadingStore()
    const full = readingsCapPerMetric + readingsTrimSlack
    for (let t = 0; t < full - 1; t += 1000) store.add('m', Array.from({ length: Math.min(1000, full - 1 - t) }, (_, i) => reading('temp', t + i)))
    const series = () => store.allSeries().get('m')!.get('temp')!
    expect(series().length).toBe(full - 1)
    expect(series()[0]!.timestamp).toBe(0)
    store.add('m', [reading('temp', full - 1)])
    expect(series().length).toBe(readingsCapPerMetric)
    expect([series()[0]!.timestamp, series().at(-1)!.timestamp]).toEqual([readingsTrimSlack, full - 1])
  })

  it('answers the `limit` oldest readings in range over every metric, as a full scan would', () => {
    const store = new ReadingStore()
    // two metrics, interleaved and with equal timestamps, one added out of order
    store.add('m', Array.from({ length: 50 }, (_, i) => reading('b', i * 10)))
    store.add('m', Array.from({ length: 50 }, (_, i) => reading('a', i * 20)))
    store.add('m', [reading('a', 15)])
    const all = [...store.allSeries().get('m')!.values()].flat()
    const oldest = (metric: string | undefined, startMs: number, endMs: number, limit: number) =>
      all
        .filter((r) => (metric === undefined || r.metric_name === metric) && r.timestamp >= startMs && r.timestamp <= endMs)
        .sort((x, y) => x.timestamp - y.timestamp || (x.metric_name < y.metric_name ? -1 : x.metric_name > y.metric_name ? 1 : 0))
        .slice(0, limit)
    for (const [startMs, endMs, limit] of [[0, 1000, 7], [100, 300, 10], [0, 10_000, 1000], [495, 600, 3], [2000, 3000, 5]] as const) {
      expect(store.query('m', { startMs, endMs, limit })).toEqual(oldest(undefined, startMs, endMs, limit))
      expect(store.query('m', { metric: 'a', startMs, endMs, limit })).toEqual(oldest('a', startMs, endMs, limit))
    }
    expect(store.query('m', { startMs: 0, endMs: 30, limit: 100 }).map((r) => `${r.metric_name}${r.timestamp}`)).toEqual(['a0', 'b0', 'b10', 'a15', 'a20', 'b20', 'b30'])
  })
})
