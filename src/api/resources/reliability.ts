/**
 * Uptime and MTTR/MTBF from downtime records: pure functions shared by the machine and fleet
 * routes (emulator formulas; the reference names the figures, not how they are computed).
 */
import { hourMs, dayMs } from '../../clock.js'
import type { DowntimeCategory, DowntimeRecord } from '../../store/records.js'

const minuteMs = 60_000
/** One day, milliseconds. */
/** Downtime categories (reference section 12). */
export const downtimeCategories = ['planned', 'unplanned', 'changeover', 'maintenance'] as const satisfies readonly DowntimeCategory[]

/** Rounded to 2 decimals. */
export const round2 = (x: number): number => Math.round(x * 100) / 100

/** Whole minutes from start to end (truncated, never negative); null while the record is ongoing. */
export function durationMinutes(r: DowntimeRecord): number | null {
  return r.ended_at === null ? null : Math.max(0, Math.floor((r.ended_at - r.started_at) / minuteMs))
}

/** Milliseconds of [startMs, endMs) the record covers; an ongoing record lasts until `nowMs`. */
export function overlapMs(r: DowntimeRecord, startMs: number, endMs: number, nowMs: number): number {
  return Math.max(0, Math.min(r.ended_at ?? nowMs, endMs) - Math.max(r.started_at, startMs))
}

/** Uptime over a window (see `uptimeSummary`). */
export interface Uptime {
  planned_minutes: number
  downtime_minutes: number
  uptime_minutes: number
  uptime_percent: number | null
  downtime_events: number
  by_category: Record<DowntimeCategory, number>
}

/**
 * Uptime over [startMs, endMs) (the caller caps `endMs` at now): planned = window length;
 * downtime = the union of the records' overlaps with the window (overlapping records count once;
 * ongoing ones until now); uptime_percent = 100 × (planned − downtime) / planned, null for an
 * empty window; by_category = each category's summed overlap; downtime_events = records
 * overlapping the window. Minutes and percent rounded to 2 decimals.
 */
export function uptimeSummary(records: DowntimeRecord[], startMs: number, endMs: number, nowMs: number): Uptime {
  const windowMs = Math.max(0, endMs - startMs)
  const byCategory: Record<DowntimeCategory, number> = { planned: 0, unplanned: 0, changeover: 0, maintenance: 0 }
  const spans: [number, number][] = []
  for (const r of records) {
    const covered = overlapMs(r, startMs, endMs, nowMs)
    if (covered <= 0) continue
    byCategory[r.category] += covered
    const from = Math.max(r.started_at, startMs)
    spans.push([from, from + covered])
  }
  const downMs = unionMs(spans)
  return {
    planned_minutes: round2(windowMs / minuteMs),
    downtime_minutes: round2(downMs / minuteMs),
    uptime_minutes: round2((windowMs - downMs) / minuteMs),
    uptime_percent: windowMs > 0 ? round2((100 * (windowMs - downMs)) / windowMs) : null,
    downtime_events: spans.length,
    by_category: {
      planned: round2(byCategory.planned / minuteMs),
      unplanned: round2(byCategory.unplanned / minuteMs),
      changeover: round2(byCategory.changeover / minuteMs),
      maintenance: round2(byCategory.maintenance / minuteMs),
    },
  }
}

/** Total length of possibly overlapping spans. */
function unionMs(spans: [number, number][]): number {
  let total = 0
  let reach = -Infinity
  for (const [from, to] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (to <= reach) continue
    total += to - Math.max(from, reach)
    reach = to
  }
  return total
}

/** The documented MTTR/MTBF body. */
export interface Reliability {
  mttr_hours: number | null
  mtbf_hours: number | null
  total_failures: number
  total_repairs: number
}

/**
 * MTTR/MTBF over the last `days` before `nowMs`, for `machineCount` machines' records. A record
 * counts when it started inside the window. total_failures = `unplanned` records (ended or not);
 * total_repairs = ended `unplanned` + `maintenance` records; mttr_hours = mean repair duration;
 * mtbf_hours = (machineCount × window hours − hours of the counted failures, ongoing ones until
 * now) / total_failures. Null (not 0) when there is nothing to divide by; 2 decimals.
 */
export function reliability(records: DowntimeRecord[], days: number, nowMs: number, machineCount = 1): Reliability {
  const windowStart = nowMs - days * dayMs
  const counted = records.filter((r) => r.started_at >= windowStart && r.started_at <= nowMs)
  const failures = counted.filter((r) => r.category === 'unplanned')
  const repairs = counted.filter((r) => (r.category === 'unplanned' || r.category === 'maintenance') && r.ended_at !== null)
  const repairMs = repairs.reduce((sum, r) => sum + Math.max(0, r.ended_at! - r.started_at), 0)
  const failureMs = failures.reduce((sum, r) => sum + Math.max(0, Math.min(r.ended_at ?? nowMs, nowMs) - r.started_at), 0)
  return {
    mttr_hours: repairs.length > 0 ? round2(repairMs / repairs.length / hourMs) : null,
    mtbf_hours: failures.length > 0 ? round2((machineCount * days * dayMs - failureMs) / failures.length / hourMs) : null,
    total_failures: failures.length,
    total_repairs: repairs.length,
  }
}
