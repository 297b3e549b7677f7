// `when.probability` at its edges, over HTTP: 0 never fires, 1 always does, and a seeded 0.5
// replays its sequence exactly (engine.test.ts pins the same on the engine alone).
import { describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'

const t = useServer()
const route = { method: 'GET', path: '/api/v1/machines' }
const activate = async (session: string, scenario: unknown, seed?: number) => {
  const res = await fetch(`${t.url}/__mock/sessions/${session}/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario, seed }) })
  expect(res.status).toBe(201)
}
const counters = async (session: string) => ((await (await fetch(`${t.url}/__mock/sessions/${session}`)).json()) as { counters: unknown }).counters

/** Sends `n` requests in `session`; returns the X-Mock-Rule of each (null when no fault fired). */
async function rules(session: string, n: number): Promise<(string | null)[]> {
  const out: (string | null)[] = []
  for (let i = 0; i < n; i++) {
    const res = await t.api('/machines', { headers: { 'X-API-Key': demoApiKey, 'X-Mock-Session': session } })
    await res.arrayBuffer()
    out.push(res.headers.get('x-mock-rule'))
  }
  return out
}

describe('probability', () => {
  it('0 never fires and 1 always does, over 1,000 matches', async () => {
    await activate('edges', {
      name: 'edges',
      rules: [
        { name: 'never', match: route, when: { probability: 0 }, fault: { kind: 'internal_error' } },
        { name: 'always', match: route, when: { probability: 1 }, fault: { kind: 'service_unavailable' } },
      ],
    })
    expect(await rules('edges', 1_000)).toEqual(Array(1_000).fill('edges/always'))
    expect(await counters('edges')).toEqual({ 'edges/never': { matches: 1_000, fires: 0 }, 'edges/always': { matches: 1_000, fires: 1_000 } })
  })

  it('0.5 with a seed: the same sequence again with that seed, another with another seed', async () => {
    const scenario = { name: 'coin', rules: [{ name: 'heads', match: route, when: { probability: 0.5 }, fault: { kind: 'internal_error' } }] }
    await activate('coin', scenario, 7)
    const first = await rules('coin', 64)
    const fired = first.filter((r) => r === 'coin/heads').length
    expect(fired).toBeGreaterThan(16)
    expect(fired).toBeLessThan(48)
    // activating again starts its counters over: the same seed replays every draw
    await activate('coin', scenario, 7)
    expect(await rules('coin', 64)).toEqual(first)
    await activate('coin', scenario, 8)
    expect(await rules('coin', 64)).not.toEqual(first)
  })
})
