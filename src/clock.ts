/** Milliseconds in an hour and in a day. */
export const hourMs = 3_600_000
export const dayMs = 86_400_000

/** Where time comes from: the system, or a manual clock that tests move by hand. */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number
  /** Resolves once `ms` milliseconds of this clock have passed, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** Calls `fire` once `ms` milliseconds of this clock have passed, unless cancelled first (no AbortController per call). */
  timer(ms: number, fire: () => void): { cancel(): void }
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve()
      const timer = setTimeout(resolve, ms)
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
    }),
  timer(ms, fire) {
    const t = setTimeout(fire, ms)
    return { cancel: () => clearTimeout(t) }
  },
}

/** A clock that only moves when `advance` or `set` is called; pending sleeps wake as it passes them. */
export class ManualClock implements Clock {
  private timers: { at: number; wake: () => void }[] = []

  /** Starts at `startMs` (default 2026-04-04T10:30:00Z, the reference's example instant). */
  constructor(private nowMs = Date.UTC(2026, 3, 4, 10, 30, 0)) {}

  now(): number {
    return this.nowMs
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((wake) => {
      if (signal?.aborted) return wake()
      const timer = { at: this.nowMs + Math.max(0, ms), wake }
      this.timers.push(timer)
      signal?.addEventListener('abort', () => ((this.timers = this.timers.filter((t) => t !== timer)), wake()), { once: true })
      this.fire()
    })
  }

  timer(ms: number, fire: () => void): { cancel(): void } {
    const timer = { at: this.nowMs + Math.max(0, ms), wake: fire }
    this.timers.push(timer)
    this.fire()
    return { cancel: () => void (this.timers = this.timers.filter((t) => t !== timer)) }
  }

  /** Sleeps and timers not yet due, fired or cancelled: 0 once nothing waits on this clock. */
  pending(): number {
    return this.timers.length
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.set(this.nowMs + ms)
  }

  /** Moves the clock to `epochMs` (never backwards). */
  set(epochMs: number): void {
    this.nowMs = Math.max(this.nowMs, epochMs)
    this.fire()
  }

  private fire(): void {
    const due = this.timers.filter((t) => t.at <= this.nowMs)
    this.timers = this.timers.filter((t) => t.at > this.nowMs)
    for (const t of due) t.wake()
  }
}

const isoCache = new Map<number, string>()

/** ISO 8601 in whole seconds (truncated) with `Z`, as the emulator emits every timestamp. */
export function isoSeconds(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000)
  let iso = isoCache.get(seconds)
  if (iso === undefined) {
    // Lists format the same few instants on every request: remember them (bounded).
    if (isoCache.size >= 10_000) isoCache.clear()
    iso = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
    isoCache.set(seconds, iso)
  }
  return iso
}

/** isoSeconds for an optional instant: null stays null. */
export const isoSecondsOrNull = (epochMs: number | null): string | null => (epochMs === null ? null : isoSeconds(epochMs))
