import { describe, expect, it } from 'vitest'
import { ManualClock, isoSeconds, systemClock } from '../src/clock.js'

describe('ManualClock', () => {
  it('wakes a sleep when the clock passes it, not before', async () => {
    const clock = new ManualClock(0)
    let woke = false
    const sleeping = clock.sleep(100).then(() => (woke = true))
    clock.advance(99)
    await Promise.resolve()
    expect(woke).toBe(false)
    clock.advance(1)
    await sleeping
    expect(woke).toBe(true)
  })

  it('an aborted sleep resolves at once and leaves no timer behind', async () => {
    const clock = new ManualClock(0)
    const abort = new AbortController()
    const sleeping = clock.sleep(1_000, abort.signal)
    abort.abort()
    await sleeping
    expect(clock.pending()).toBe(0)
  })
})

describe('ManualClock.timer', () => {
  it('fires once the clock passes it, and never once cancelled', () => {
    const clock = new ManualClock()
    const fired: string[] = []
    clock.timer(1000, () => fired.push('a'))
    const b = clock.timer(1000, () => fired.push('b'))
    expect(clock.pending()).toBe(2)
    clock.advance(999)
    b.cancel()
    expect([fired, clock.pending()]).toEqual([[], 1])
    clock.advance(1)
    expect([fired, clock.pending()]).toEqual([['a'], 0])
    clock.advance(10_000)
    expect(fired).toEqual(['a'])
  })
})

describe('systemClock', () => {
  it('an aborted sleep resolves without waiting', async () => {
    const abort = new AbortController()
    const sleeping = systemClock.sleep(3_600_000, abort.signal)
    abort.abort()
    await expect(sleeping).resolves.toBeUndefined()
  })
})

describe('isoSeconds', () => {
  it('truncates to whole seconds with Z', () => {
    expect(isoSeconds(Date.UTC(2026, 3, 4, 10, 30, 0, 999))).toBe('2026-04-04T10:30:00Z')
  })
})
