// The scenario-engine targets: the inline scenarios they activate in the server child's `default`
// session (through the control API, before the pre-check), and the checks of the engine's rule
// counters after the measured run.
import type { Child } from './children.js'
import { BenchFailure, route } from './common.js'

/** A scenario as the control API takes it inline (`POST /__mock/sessions/{session}/scenarios`). */
export interface InlineScenario {
  name: string
  rules: { name: string; match: { method: string; path: string }; when?: { probability: number }; fault: { kind: string } }[]
}

/** The session the load runs in: requests without `X-Mock-Session`. */
const session = 'default'

/** One rule that can never match `GET <route>`: the engine runs on every request and decides "no fault". */
export const idleScenario = (): InlineScenario => ({
  name: 'bench-idle',
  rules: [{ name: 'post-ingest', match: { method: 'POST', path: '/api/v1/ingest' }, fault: { kind: 'internal_error' } }],
})

/** `count` rules that match `GET <route>` but never fire (probability 0): every one is evaluated. */
export const matchingScenario = (name: string, count: number): InlineScenario => ({
  name,
  rules: Array.from({ length: count }, (_, i) => ({
    name: `r${i}`,
    match: { method: 'GET', path: route },
    when: { probability: 0 },
    fault: { kind: 'internal_error' },
  })),
})

/** `count` rules of the same shape on `GET /api/v1/other-<i>`, none on `<route>`: the index should skip them all. */
export const otherRoutesScenario = (name: string, count: number): InlineScenario => ({
  name,
  rules: Array.from({ length: count }, (_, i) => ({
    name: `r${i}`,
    match: { method: 'GET', path: `/api/v1/other-${i}` },
    when: { probability: 0 },
    fault: { kind: 'internal_error' },
  })),
})

interface SessionView {
  scenarios: { name: string }[]
  counters: Record<string, { matches: number; fires: number }>
}

async function sessionView(child: Child): Promise<SessionView> {
  const res = await fetch(`${child.url}/__mock/sessions/${session}`)
  if (res.status !== 200) throw new BenchFailure(`GET /__mock/sessions/${session}: expected 200, got ${res.status} ${await res.text()}`)
  return (await res.json()) as SessionView
}

/** Activates `scenario` in the `default` session of `child`; fails unless the session then lists it. */
export async function activate(child: Child, scenario: InlineScenario): Promise<void> {
  const res = await fetch(`${child.url}/__mock/sessions/${session}/scenarios`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ scenario }),
  })
  const text = await res.text()
  if (res.status !== 201) throw new BenchFailure(`activating scenario ${scenario.name} (${scenario.rules.length} rules): expected 201, got ${res.status} ${text.slice(0, 500)}`)
  const view = JSON.parse(text) as SessionView
  if (!view.scenarios.some((s) => s.name === scenario.name)) throw new BenchFailure(`scenario ${scenario.name}: not active in session ${session} after activation`)
}

/**
 * After the measured run: the scenario is still active, no rule fired, and either every rule matched
 * at least `requests` times with the same count (`expectMatches`), or none matched at all.
 */
export async function checkCounters(child: Child, scenario: InlineScenario, requests: number, expectMatches: boolean): Promise<void> {
  const view = await sessionView(child)
  if (!view.scenarios.some((s) => s.name === scenario.name)) throw new BenchFailure(`scenario ${scenario.name}: no longer active after the run`)
  const counts = scenario.rules.map((r) => ({ id: `${scenario.name}/${r.name}`, ...(view.counters[`${scenario.name}/${r.name}`] ?? { matches: 0, fires: 0 }) }))
  const fired = counts.filter((c) => c.fires > 0)
  if (fired.length) throw new BenchFailure(`scenario ${scenario.name}: ${fired.length} rules fired (first: ${fired[0]!.id}, ${fired[0]!.fires} times)`)
  if (expectMatches) {
    const short = counts.filter((c) => c.matches < requests || c.matches !== counts[0]!.matches)
    if (short.length) throw new BenchFailure(`scenario ${scenario.name}: ${short.length} rules were not evaluated on every request (first: ${short[0]!.id}, ${short[0]!.matches} matches, ${requests} measured requests)`)
  } else {
    const matched = counts.filter((c) => c.matches > 0)
    if (matched.length) throw new BenchFailure(`scenario ${scenario.name}: ${matched.length} rules matched GET ${route} (first: ${matched[0]!.id})`)
  }
}
