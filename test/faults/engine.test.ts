import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { createMockServer } from '../../src/server.js'
import { compileScenario } from '../../src/faults/compile.js'
import { Scenario } from '../../src/faults/schema.js'
import { compilePath, matchPath } from '../../src/faults/matcher.js'
import type { Session } from '../../src/faults/session.js'

/** An engine on a real server's state, driven directly (the engine is pure given its inputs). */
function engineWith(rules: unknown[], opts: { seed?: number; phases?: unknown[]; repeat?: boolean } = {}) {
  const clock = new ManualClock()
  const server = createMockServer({ seed: opts.seed ?? 7, logLevel: 'silent', clock })
  const scenario = compileScenario(Scenario.parse({ name: 'test', rules, phases: opts.phases, repeat: opts.repeat }), 'inline')
  const engine = server.deps.engine
  const session = engine.session('s')
  session.activate(scenario, clock.now())
  const decide = (s: Session = session, method = 'GET', path = '/api/v1/machines') =>
    Promise.resolve(engine.decide(s, { method, path, c: undefined as never })?.rule.id)
  return { engine, session, clock, decide }
}

const fault = { kind: 'internal_error' }

describe('when', () => {
  it.each([
    [0, 0],
    [1, 10_000],
  ])('probability %d fires %d times in 10,000 matches', async (probability, expected) => {
    const { decide } = engineWith([{ match: { path: '/api/v1/**' }, when: { probability }, fault }])
    let fired = 0
    for (let i = 0; i < 10_000; i++) if (await decide()) fired++
    expect(fired).toBe(expected)
  })

  it('after, times and every count matches in order', async () => {
    const { decide } = engineWith([{ name: 'r', when: { after: 2, every: 2, times: 3 }, fault }])
    const fired: number[] = []
    for (let i = 1; i <= 12; i++) if (await decide()) fired.push(i)
    expect(fired).toEqual([4, 6, 8])
  })

  it('from/until are measured from activation on the clock', async () => {
    const { decide, clock } = engineWith([{ name: 'w', when: { from: '1s', until: '3s' }, fault }])
    expect(await decide()).toBeUndefined()
    clock.advance(1_000)
    expect(await decide()).toBe('test/w')
    clock.advance(1_999)
    expect(await decide()).toBe('test/w')
    clock.advance(1)
    expect(await decide()).toBeUndefined()
  })

  it('the first rule whose match and when hold wins; a rule whose when fails lets the next try', async () => {
    const { decide } = engineWith([
      { name: 'first-two', when: { times: 2 }, fault },
      { name: 'then', fault: { kind: 'service_unavailable' } },
    ])
    expect([await decide(), await decide(), await decide()]).toEqual(['test/first-two', 'test/first-two', 'test/then'])
  })

  it('matches method and path patterns through the index', async () => {
    const { decide } = engineWith([
      { name: 'post-only', match: { method: 'POST', path: '/api/v1/machines' }, fault },
      { name: 'one-machine', match: { path: '/api/v1/machines/*' }, fault },
      { name: 'auth-excluded', match: { path: '/api/v1/**', exclude_path: '/api/v1/auth/**' }, fault },
    ])
    expect(await decide(undefined, 'POST', '/api/v1/machines')).toBe('test/post-only')
    expect(await decide(undefined, 'GET', '/api/v1/machines/abc')).toBe('test/one-machine')
    expect(await decide(undefined, 'GET', '/api/v1/machines/abc/readings')).toBe('test/auth-excluded')
    expect(await decide(undefined, 'GET', '/api/v1/auth/me')).toBeUndefined()
  })
})

describe('rules sharing a match (a run)', () => {
  it('fire and count exactly as rules taken one by one, rules that cannot fire included', async () => {
    const { decide, session } = engineWith([
      { name: 'twice', when: { times: 2 }, fault },
      { name: 'never', when: { probability: 0 }, fault },
      { name: 'every-3rd', when: { every: 3 }, fault },
      { name: 'rest', fault },
      { name: 'other-route', match: { method: 'POST' }, fault },
    ])
    const fired = []
    for (let i = 0; i < 8; i++) fired.push(await decide())
    expect(fired).toEqual(['test/twice', 'test/twice', 'test/rest', 'test/rest', 'test/every-3rd', 'test/rest', 'test/rest', 'test/every-3rd'])
    expect(session.countersView()).toEqual({
      'test/twice': { matches: 8, fires: 2 },
      'test/never': { matches: 6, fires: 0 },
      'test/every-3rd': { matches: 6, fires: 2 },
      'test/rest': { matches: 4, fires: 4 },
    })
  })
})

describe('seeds', () => {
  const positions = async (seed: number) => {
    const { decide } = engineWith([{ name: 'p', when: { probability: 0.3 }, fault }], { seed })
    const out: number[] = []
    for (let i = 0; i < 200; i++) if (await decide()) out.push(i)
    return out
  }

  it('the same seed gives the same fault positions; another seed others', async () => {
    const a = await positions(42)
    expect(await positions(42)).toEqual(a)
    expect(await positions(43)).not.toEqual(a)
    expect(a.length).toBeGreaterThan(30)
    expect(a.length).toBeLessThan(90)
  })

  it('a session reset replays the same positions', async () => {
    const { decide, session, clock } = engineWith([{ name: 'p', when: { probability: 0.5 }, fault }])
    const run = async () => {
      const out: boolean[] = []
      for (let i = 0; i < 50; i++) out.push((await decide()) !== undefined)
      return out
    }
    const first = await run()
    session.reset(clock.now())
    expect(await run()).toEqual(first)
  })

  it('two sessions keep their own counters', async () => {
    const { decide, engine, clock, session } = engineWith([{ name: 'once', when: { times: 1 }, fault }])
    const other = engine.session('other')
    other.activate(session.active[0]!.scenario, clock.now())
    expect(await decide(session)).toBe('test/once')
    expect(await decide(session)).toBeUndefined()
    expect(await decide(other)).toBe('test/once')
  })
})

describe('phases', () => {
  it('move on with the clock and with request counts, and repeat when asked', async () => {
    const { decide, clock } = engineWith([], {
      phases: [
        { name: 'healthy', duration: '10s' },
        { name: 'down', duration: '5s', rules: [{ name: 'x', fault }] },
        { name: 'blip', requests: 2, rules: [{ name: 'y', fault }] },
      ],
      repeat: true,
    })
    expect(await decide()).toBeUndefined()
    clock.advance(10_000)
    expect(await decide()).toBe('test/down.x')
    clock.advance(4_999)
    expect(await decide()).toBe('test/down.x')
    clock.advance(1)
    expect([await decide(), await decide()]).toEqual(['test/blip.y', 'test/blip.y'])
    expect(await decide()).toBeUndefined() // back to healthy
  })
})

describe('path patterns', () => {
  it.each([
    ['/api/v1/**', '/api/v1', true],
    ['/api/v1/**', '/api/v1/machines/x/readings', true],
    ['/api/v1/*', '/api/v1/machines', true],
    ['/api/v1/*', '/api/v1/machines/x', false],
    ['/api/v1/machines/*/readings', '/api/v1/machines/abc/readings', true],
    ['/api/v1/machines', '/api/v1/machines/abc', false],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(matchPath(compilePath(pattern), path)).toBe(expected)
  })
})

describe('the rule index', () => {
  const rule = (name: string, match: object) => ({ name, match, fault })
  const index = (rules: object[]) => compileScenario(Scenario.parse({ name: 'ix', rules }), 'inline').rules

  it('looks only at rules under the path\'s own prefixes, and keeps rule order across groups', () => {
    const rules = [
      ...Array.from({ length: 1000 }, (_, i) => rule(`other-${i}`, { path: `/api/v1/other-${i}` })),
      rule('all-api', { path: '/api/v1/**' }),
      rule('machines', { method: 'GET', path: ['/api/v1/machines', '/api/v1/machines/*'] }),
      rule('anywhere', {}),
      rule('everything', { path: '/**' }),
      rule('posts', { method: 'POST' }),
    ]
    expect(index(rules).candidates('GET', '/api/v1/machines').map((r) => r.id)).toEqual(['ix/all-api', 'ix/machines', 'ix/anywhere', 'ix/everything'])
    expect(index(rules).candidates('POST', '/api/v1/other-7').map((r) => r.id)).toEqual(['ix/other-7', 'ix/all-api', 'ix/anywhere', 'ix/everything', 'ix/posts'])
    expect(index(rules).candidates('DELETE', '/elsewhere').map((r) => r.id)).toEqual(['ix/anywhere', 'ix/everything'])
  })

  it('rules on exactly the request path all match without filtering; exclude_path still filters', () => {
    const exact = index([rule('a', { path: '/api/v1/machines' }), rule('b', { method: 'GET', path: '/api/v1/machines' })])
    expect(exact.candidates('GET', '/api/v1/machines').map((r) => r.id)).toEqual(['ix/a', 'ix/b'])
    expect(exact.candidates('GET', '/api/v1/machines/x')).toEqual([])
    const excluding = index([rule('a', { path: '/api/v1/machines' }), rule('not-here', { path: '/api/v1/machines', exclude_path: '/api/v1/machines' })])
    expect(excluding.candidates('GET', '/api/v1/machines').map((r) => r.id)).toEqual(['ix/a'])
  })
})
