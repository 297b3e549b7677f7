import { z } from 'zod'
import { formatPath, describeIssue, InputError, readDataFile, valueAt } from '../load-file.js'
import { isoSeconds, type Clock } from '../clock.js'

/** One bucket rule: `limit` requests per fixed `window_s`-second window. */
const Bucket = z.object({
  limit: z.number().int().min(1).max(1_000_000_000).describe('requests per window'),
  window_s: z.number().int().min(1).max(86_400).default(60).describe('window length, seconds'),
})

/**
 * The rate-limit table: per subscription tier, counted per tenant, and for the unauthenticated
 * auth endpoints, counted per client IP. Emulator defaults; the reference documents no numbers
 * beyond the example limit 300.
 */
export const RateLimitTable = z.object({
  free: Bucket.default({ limit: 60, window_s: 60 }),
  pro: Bucket.default({ limit: 300, window_s: 60 }),
  enterprise: Bucket.default({ limit: 1000, window_s: 60 }),
  unauthenticated: Bucket.default({ limit: 20, window_s: 60 }),
})
export type RateLimitTable = z.infer<typeof RateLimitTable>

/** The built-in table. */
export const defaultRateLimits: RateLimitTable = RateLimitTable.parse({})

/** Reads a rate-limit table file (YAML or JSON); a partial table keeps the defaults elsewhere. */
export function loadRateLimitFile(file: string): RateLimitTable {
  const data = readDataFile(file) ?? {}
  const parsed = RateLimitTable.strict().safeParse(data)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const where = formatPath(issue.path) || '(top level)'
  throw new InputError(`Failed to load ${file}: ${where} ${describeIssue(issue, valueAt(data, issue.path))}`)
}

/** What one counted request learned about its bucket. */
export interface RateDecision {
  allowed: boolean
  limit: number
  remaining: number
  /** Epoch second at which the window resets. */
  resetS: number
  /** Whole seconds until the reset, at least 1. */
  retryAfterS: number
}

/** A bucket's window as the control plane shows it. */
export interface RateState {
  bucket: keyof RateLimitTable
  limit: number
  window_s: number
  used: number
  remaining: number
  resets_at: string
}

/** The limiter's key of a tenant's bucket, and of a client IP's (the unauthenticated auth endpoints). */
export const tenantKey = (tenantId: string): string => `tenant:${tenantId}`
export const ipKey = (ip: string): string => `ip:${ip}`

/** Fixed-window counters, windows aligned to multiples of their length on the clock. */
export class RateLimiter {
  private counters = new Map<string, { windowStartMs: number; count: number }>()

  constructor(
    private clock: Clock,
    readonly table: RateLimitTable | null,
  ) {}

  /** Counts one request against `key` under `bucket`; synchronous, so concurrent requests cannot race. */
  hit(key: string, bucket: keyof RateLimitTable): RateDecision | null {
    const w = this.window(key, bucket)
    if (!w) return null
    let counter = w.counter
    if (counter?.windowStartMs !== w.startMs) this.counters.set(key, (counter = { windowStartMs: w.startMs, count: 0 }))
    const allowed = counter.count < w.limit
    if (allowed) counter.count++
    return {
      allowed,
      limit: w.limit,
      remaining: w.limit - counter.count,
      resetS: Math.ceil(w.resetMs / 1000),
      retryAfterS: Math.max(1, Math.ceil((w.resetMs - w.nowMs) / 1000)),
    }
  }

  /** How `key`'s window stands under `bucket` now, without counting (for the control plane); null when limiting is off. */
  state(key: string, bucket: keyof RateLimitTable): RateState | null {
    const w = this.window(key, bucket)
    if (!w) return null
    const used = w.counter?.windowStartMs === w.startMs ? w.counter.count : 0
    return { bucket, limit: w.limit, window_s: w.window_s, used, remaining: w.limit - used, resets_at: isoSeconds(w.resetMs) }
  }

  /** The window `bucket` is in now, and `key`'s counter if it has one (maybe of an earlier window). */
  private window(key: string, bucket: keyof RateLimitTable) {
    if (!this.table) return null
    const { limit, window_s } = this.table[bucket]
    const windowMs = window_s * 1000
    const nowMs = this.clock.now()
    const startMs = Math.floor(nowMs / windowMs) * windowMs
    return { limit, window_s, nowMs, startMs, resetMs: startMs + windowMs, counter: this.counters.get(key) }
  }

  /** Client IPs with a counter of their own, in the current or an earlier window. */
  ips(): string[] {
    return [...this.counters.keys()].filter((k) => k.startsWith(ipKey(''))).map((k) => k.slice(ipKey('').length))
  }

  /** Forgets every counter. */
  reset(): void {
    this.counters.clear()
  }
}
