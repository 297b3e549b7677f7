import type { CompiledRule, CompiledScenario } from './compile.js'

/** Per-rule counters of one session. */
export interface RuleCounter {
  /** Requests that matched the rule's `match` (the ordinal of the next one is matches + 1). */
  matches: number
  /** Times the rule's fault was injected. */
  fires: number
  /** Matches per credential, for `when.per: credential`. */
  perCredential?: Map<string, number>
}

/** A scenario active in a session, with its phase clock. */
export interface ActiveScenario {
  scenario: CompiledScenario
  /** Clock time the scenario was activated (or the session last reset): elapsed time counts from here. */
  startedAt: number
  /** Index of the current phase and when / after how many requests it began. */
  phase: number
  phaseStartedAt: number
  phaseRequests: number
}

/**
 * A client session (`X-Mock-Session`, default `default`): its active scenarios, seed, rule counters,
 * phase clocks and the access tokens a fault made expire. Sessions never see each other's state.
 */
export class Session {
  active: ActiveScenario[] = []
  counters = new Map<string, RuleCounter>()
  /** Bearer tokens a `token_expired` fault expired (and the rule that did): expired until the client refreshes. */
  expiredTokens = new Map<string, string>()
  /** One-off faults (`POST /__mock/sessions/{session}/faults`), evaluated before any scenario. */
  oneOffs: CompiledRule[] = []
  oneOffStartedAt = 0

  constructor(
    readonly name: string,
    public seed: number,
  ) {}

  counter(ruleId: string): RuleCounter {
    let counter = this.counters.get(ruleId)
    if (!counter) this.counters.set(ruleId, (counter = { matches: 0, fires: 0 }))
    return counter
  }

  /**
   * Every rule's counts, by rule id: stored for the rules that were looked at, derived for the
   * rules of a run that cannot fire (requests that reached the run minus those stopped before them).
   */
  countersView(): Record<string, { matches: number; fires: number }> {
    const out: Record<string, { matches: number; fires: number }> = {}
    for (const [id, c] of this.counters) if (!id.endsWith('#run')) out[id] = { matches: c.matches, fires: c.fires }
    const lists = this.active.flatMap((a) => [a.scenario.rules.rules, ...a.scenario.phases.map((p) => p.rules.rules)])
    for (const rules of lists) {
      for (const rule of rules) {
        const run = rule.run
        if (!run || !rule.inert) continue
        const reached = this.counters.get(run.id)?.matches ?? 0
        if (reached === 0) continue
        let stopped = 0
        for (const r of run.rules) {
          if (r === rule) break
          stopped += this.counters.get(r.id)?.fires ?? 0
        }
        out[rule.id] = { matches: reached - stopped, fires: 0 }
      }
    }
    return out
  }

  /** Starts `scenario` now (replacing an active one of the same name). */
  activate(scenario: CompiledScenario, now: number): void {
    this.active = this.active.filter((a) => a.scenario.name !== scenario.name)
    this.active.push({ scenario, startedAt: now, phase: 0, phaseStartedAt: now, phaseRequests: 0 })
    for (const id of scenario.ruleIds) this.counters.delete(id)
  }

  /** Clears counters, phase clocks and expired tokens; keeps the active scenarios and the seed. */
  reset(now: number): void {
    this.counters.clear()
    this.expiredTokens.clear()
    this.oneOffStartedAt = now
    for (const a of this.active) Object.assign(a, { startedAt: now, phase: 0, phaseStartedAt: now, phaseRequests: 0 })
  }
}
