import type { Context } from 'hono'
import { bearerToken, header, retryAfterSeconds } from '../api/headers.js'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { decodeJwt } from 'jose'
import type { AppEnv, Deps } from '../api/context.js'
import { ApiError, errorResponse } from '../api/errors.js'
import { parseJsonBody } from '../api/json-body.js'
import { bodyText } from '../api/body-limit.js'
import { Rng } from '../rng.js'
import { routeMatches, type CompiledRule, type CompiledScenario, type RuleRun } from './compile.js'
import { hash32 } from './matcher.js'
import { headerFault } from './header-faults.js'
import { Session, type ActiveScenario, type RuleCounter } from './session.js'
import type { Answer } from '../pipeline.js'

/** Most sessions kept; the least recently created beyond it is forgotten. */
const maxSessions = 10_000
/** Header that names the client session. */
export const sessionHeader = 'x-mock-session'

/** What the engine decided for one request. */
export interface Decision {
  rule: CompiledRule
  rng: Rng
}

/** The request as rules see it; costly parts (body, claims) are read only when a rule asks. */
interface Facts {
  method: string
  path: string
  c: Context<AppEnv>
  /** Read on first use: bearerOf(), apiKeyOf(). */
  bearer?: string | null
  apiKey?: string | null
  body?: unknown
  claims?: { role?: string; tenant_id?: string } | null
}

/**
 * The scenario engine: per-session scenarios, counters and phase clocks; decides for each request
 * whether a rule fires (a pure function of seed, session, rule, match ordinal and clock) and runs
 * the fault around the backend.
 */
export class Engine {
  private sessions = new Map<string, Session>()
  constructor(
    private deps: () => Deps,
    /** Scenarios that can be activated by name: built-in ones and those loaded from files (read on first use). */
    private readonly libraryOf: () => Map<string, CompiledScenario>,
    /** Active in every session from its first request (`--scenario`). */
    readonly global: CompiledScenario[],
    private opts: { seed: number; faultHeaders: boolean; allowHeaderFaults: boolean },
  ) {
    this.refresh()
  }

  /** Scenarios that can be activated by name. */
  get library(): Map<string, CompiledScenario> {
    return this.libraryOf()
  }

  /** The named session, created on first use with the global scenarios active. */
  session(name: string): Session {
    let s = this.sessions.get(name)
    if (!s) {
      if (this.sessions.size >= maxSessions) this.sessions.delete(this.sessions.keys().next().value!)
      s = new Session(name, this.opts.seed)
      const now = this.deps().clock.now()
      for (const scenario of this.global) s.activate(scenario, now)
      this.sessions.set(name, s)
    }
    return s
  }

  /** The seed a session uses (without creating it). */
  seedOf(name: string): number {
    return this.sessions.get(name)?.seed ?? this.opts.seed
  }

  /** Every session that exists (for the control plane). */
  allSessions(): Session[] {
    return [...this.sessions.values()]
  }

  /** Forgets every session (server reset). */
  clear(): void {
    this.sessions.clear()
    this.refresh()
  }

  /** True while no request could meet a fault: the hot path then skips the engine. */
  idle = true

  /** Recomputes `idle`; the control plane calls it after every change to sessions. */
  refresh(): void {
    this.idle = !this.opts.allowHeaderFaults && this.global.length === 0 && this.allSessions().every((s) => s.active.length === 0 && s.oneOffs.length === 0 && s.expiredTokens.size === 0)
  }

  /** The pipeline step: decide, then run the fault around the backend (`next`). */
  handle(c: Context<AppEnv>, next: () => Answer): Answer {
    const session = this.session(header(c, sessionHeader) || 'default')
    // a session with nothing active costs one lookup (other sessions may have scenarios)
    if (this.quietSession(session)) return next()
    return this.run(c, session, next)
  }

  /**
   * Whether nothing can touch this request: no rule or one-off fault of its session is a candidate
   * for its method and path, no header fault or expired token is in play, and no active scenario
   * has phases (they count every request). Changes nothing but creating the session, as handle()
 * would: the proxy's fast lane asks it before deciding whether the engine runs at all.
   */
  quietFor(name: string, method: string, path: string): boolean {
    if (this.idle) return true
    const session = this.session(name)
    if (this.quietSession(session)) return true
    if (this.opts.allowHeaderFaults || session.expiredTokens.size > 0) return false
    if (session.oneOffs.some((o) => routeMatches(o, method, path))) return false
    return session.active.every((a) => a.scenario.phases.length === 0 && a.scenario.rules.candidates(method, path).length === 0)
  }

  private quietSession(session: Session): boolean {
    return !this.opts.allowHeaderFaults && session.active.length === 0 && session.oneOffs.length === 0 && session.expiredTokens.size === 0
  }

  /** Decides for one request; synchronous up to the fault unless a rule needs the body first. */
  private run(c: Context<AppEnv>, session: Session, next: () => Answer): Answer {
    const facts: Facts = { method: c.req.method, path: c.req.path, c }
    const expiredBy = session.expiredTokens.size > 0 && session.expiredTokens.get(bearerOf(facts) ?? '')
    if (expiredBy) {
      c.set('fault', { rule: expiredBy, kind: 'token_expired' })
      return Promise.resolve(this.label(errorResponse(new ApiError('token_expired')), 'token_expired', expiredBy))
    }
    const asked = this.opts.allowHeaderFaults ? headerFault(c) : undefined
    if (asked) return this.inject(c, session, this.askedFor(session, asked), next)
    // Rules read a body only through `facts.body`, parsed once here when an active rule asks for it.
    if (needsBody(session))
      return bodyText(c).then((text) => {
        const parsed = parseJsonBody(text)
        facts.body = parsed.ok ? parsed.value : null
        return this.decideAndInject(c, session, facts, next)
      })
    return this.decideAndInject(c, session, facts, next)
  }

  private decideAndInject(c: Context<AppEnv>, session: Session, facts: Facts, next: () => Answer): Answer {
    const decision = this.decide(session, facts)
    return decision ? this.inject(c, session, decision, next) : next()
  }

  /** Runs the fault around the backend and labels what it answers. */
  private async inject(c: Context<AppEnv>, session: Session, { rule, rng }: Decision, next: () => Answer): Promise<Response> {
    if (rule.serve) c.set('serve', rule.serve)
    // no fault: nothing to wrap or label
    if (rule.kind.kind === 'pass') return next()
    c.set('fault', { rule: rule.id, kind: rule.kind.kind })
    const ctx = { c, deps: this.deps(), clock: this.deps().clock, rng, session, ruleId: rule.id }
    const res = await rule.kind.apply(ctx, rule.fault as never, async () => next())
    if (res === RESPONSE_ALREADY_SENT) c.set('noResponse', true)
    else {
      const retryAfter = retryAfterSeconds(res.headers.get('retry-after'))
      if (retryAfter !== undefined) c.set('retryAfter', retryAfter)
    }
    return this.label(res, rule.kind.kind, rule.id)
  }

  /** The first rule, over the session's one-off faults then its scenarios in activation order, that fires. */
  decide(session: Session, facts: Facts): Decision | undefined {
    const now = this.deps().clock.now()
    for (let i = 0; i < session.oneOffs.length; i++) {
      if (!routeMatches(session.oneOffs[i]!, facts.method, facts.path)) continue
      const d = this.evaluate(session, session.oneOffs[i]!, facts, now - session.oneOffStartedAt)
      if (d) {
        if (d.rule.when.times !== undefined && session.counter(d.rule.id).fires >= d.rule.when.times) session.oneOffs.splice(i, 1)
        return d
      }
    }
    for (const active of session.active) {
      const phaseStart = advancePhase(active, now)
      const d = this.first(session, active.scenario.rules.candidates(facts.method, facts.path), facts, now - active.startedAt)
      if (d) return d
      const phase = active.scenario.phases[active.phase]
      if (!phase) continue
      const p = this.first(session, phase.rules.candidates(facts.method, facts.path), facts, now - phaseStart)
      if (p) return p
    }
    return undefined
  }

  /** A fault the request named itself: seeded like a rule, counted under `header/<kind>`. */
  private askedFor(session: Session, rule: CompiledRule): Decision {
    const counter = session.counter(rule.id)
    counter.matches++
    counter.fires++
    return { rule, rng: decisionRng(session, rule, counter.matches) }
  }

  /** The first of `rules` (candidates, in order) that fires; a run of rules sharing a match is taken at once. */
  private first(session: Session, rules: CompiledRule[], facts: Facts, elapsedMs: number): Decision | undefined {
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!
      const run = rule.run
      if (!run) {
        const d = this.evaluate(session, rule, facts, elapsedMs)
        if (d) return d
        continue
      }
      // the run's members are consecutive among the candidates: skip past them after this
      const last = i + run.rules.length - 1
      if (rules[last]?.run === run) i = last
      else while (i + 1 < rules.length && rules[i + 1]!.run === run) i++
      const d = this.evaluateRun(session, run, facts, elapsedMs)
      if (d) return d
    }
    return undefined
  }

  /**
   * A run: one match check; its `reached` count is the ordinal of its first rule, and each later
   * rule's ordinal is that minus the fires of the rules before it (each fire stopped a request
   * there). Rules that cannot fire are never looked at; their counts are derived when read.
   */
  private evaluateRun(session: Session, run: RuleRun, facts: Facts, elapsedMs: number): Decision | undefined {
    const head = run.rules[0]!
    if (!head.routeOnly && !matches(head, facts, this.deps())) return undefined
    const reached = ++session.counter(run.id).matches
    let stoppedBefore = 0
    for (const rule of run.live) {
      const counter = session.counter(rule.id)
      const ordinal = reached - stoppedBefore
      counter.matches = ordinal
      const p = rule.when.probability
      const rng = p !== undefined && p > 0 && p < 1 ? decisionRng(session, rule, ordinal) : undefined
      if (fires(rule, counter, ordinal, elapsedMs, rng)) {
        counter.fires++
        return { rule, rng: rng ?? decisionRng(session, rule, ordinal) }
      }
      stoppedBefore += counter.fires
    }
    return undefined
  }

  private evaluate(session: Session, rule: CompiledRule, facts: Facts, elapsedMs: number): Decision | undefined {
    if (!rule.routeOnly && !matches(rule, facts, this.deps())) return undefined
    const counter = session.counter(rule.id)
    counter.matches++
    const ordinal = rule.when.per === 'credential' ? perCredential(counter, bearerOf(facts) ?? apiKeyOf(facts) ?? '') : counter.matches
    // The generator is built only when a draw is needed: a probability, or a firing fault's options.
    const p = rule.when.probability
    const rng = p !== undefined && p > 0 && p < 1 ? decisionRng(session, rule, ordinal) : undefined
    if (!fires(rule, counter, ordinal, elapsedMs, rng)) return undefined
    counter.fires++
    return { rule, rng: rng ?? decisionRng(session, rule, ordinal) }
  }

  /** Adds `X-Mock-Fault` and `X-Mock-Rule` (unless --no-fault-headers). */
  private label(res: Response, kind: string, ruleId: string): Response {
    if (!this.opts.faultHeaders || res === RESPONSE_ALREADY_SENT) return res
    try {
      res.headers.set('X-Mock-Fault', kind)
      res.headers.set('X-Mock-Rule', ruleId)
      return res
    } catch {
      const copy = new Response(res.body, res)
      copy.headers.set('X-Mock-Fault', kind)
      copy.headers.set('X-Mock-Rule', ruleId)
      return copy
    }
  }
}

/**
 * `when`, in this order: time window (from/until) → after → every → times → probability.
 * Probability draws from the decision's own seeded generator: 0 never fires, 1 always does.
 */
function fires(rule: CompiledRule, counter: RuleCounter, n: number, elapsedMs: number, rng: Rng | undefined): boolean {
  const w = rule.when
  if (w.from !== undefined && elapsedMs < w.from) return false
  if (w.until !== undefined && elapsedMs >= w.until) return false
  if (w.after !== undefined && n <= w.after) return false
  if (w.every !== undefined && (n - (w.after ?? 0)) % w.every !== 0) return false
  if (w.times !== undefined && counter.fires >= w.times) return false
  if (w.probability !== undefined && (w.probability === 0 || (w.probability < 1 && !(rng!.float() < w.probability)))) return false
  return true
}

/** The seeded generator of one decision: a pure function of (seed, session, rule, ordinal). */
function decisionRng(session: Session, rule: CompiledRule, ordinal: number): Rng {
  return new Rng(hash32(`${session.seed}|${session.name}|${rule.id}|${ordinal}`))
}

function perCredential(counter: RuleCounter, credential: string): number {
  counter.perCredential ??= new Map()
  if (counter.perCredential.size >= 10_000) counter.perCredential.clear()
  const n = (counter.perCredential.get(credential) ?? 0) + 1
  counter.perCredential.set(credential, n)
  return n
}

/** Moves a scenario's phase on by its clock and request count; returns when the current phase began. */
function advancePhase(a: ActiveScenario, now: number): number {
  const phases = a.scenario.phases
  if (phases.length === 0) return a.startedAt
  for (let guard = 0; guard < phases.length * 2 && a.phase < phases.length; guard++) {
    const p = phases[a.phase]!
    const timeUp = p.durationMs !== undefined && now - a.phaseStartedAt >= p.durationMs
    const countUp = p.requests !== undefined && a.phaseRequests >= p.requests
    if (!timeUp && !countUp) break
    a.phaseStartedAt = timeUp ? a.phaseStartedAt + p.durationMs! : now
    a.phaseRequests = 0
    a.phase = a.phase + 1 < phases.length ? a.phase + 1 : a.scenario.repeat ? 0 : phases.length
  }
  a.phaseRequests++
  return a.phaseStartedAt
}

function matches(rule: CompiledRule, f: Facts, deps: Deps): boolean {
  const m = rule.match
  if (m.credential && m.credential !== (bearerOf(f) ? 'jwt' : apiKeyOf(f) !== null ? 'api_key' : 'none')) return false
  if (m.headers && !Object.entries(m.headers).every(([k, v]) => valueMatches(header(f.c, k.toLowerCase()), v))) return false
  if (m.query && !Object.entries(m.query).every(([k, v]) => valueMatches(f.c.req.query(k), v))) return false
  if (m.role || m.tenant) {
    const who = identify(f, deps)
    if (m.role && who.role !== m.role) return false
    if (m.tenant && who.tenant_id !== m.tenant && deps.store.tenants.get(who.tenant_id ?? '')?.name !== m.tenant) return false
  }
  if (m.body) {
    const body = f.body
    if (!body || typeof body !== 'object') return false
    if (!Object.entries(m.body).every(([k, v]) => (body as Record<string, unknown>)[k] === v)) return false
  }
  return true
}

/** Whether an active rule of the session matches on body fields (then the body is read first). */
function needsBody(s: Session): boolean {
  return s.oneOffs.some((r) => r.match.body) || s.active.some((a) => a.scenario.needsBody)
}

const valueMatches = (actual: string | undefined, expected: string) => (expected === '*' ? actual !== undefined : actual === expected)

/** The caller's role and tenant, from the token's claims (unverified) or the API key. */
function identify(f: Facts, deps: Deps): { role?: string; tenant_id?: string } {
  if (f.claims !== undefined) return f.claims ?? {}
  const bearer = bearerOf(f)
  const apiKey = apiKeyOf(f)
  if (bearer) {
    try {
      const p = decodeJwt(bearer)
      f.claims = { role: p.role as string, tenant_id: p.tenant_id as string }
    } catch {
      f.claims = null
    }
  } else if (apiKey) {
    const key = deps.store.apiKeysBySecret.get(apiKey)
    f.claims = key ? { tenant_id: key.tenant_id } : null
  } else f.claims = null
  return f.claims ?? {}
}

/** The request's bearer token, or null (read once). */
function bearerOf(f: Facts): string | null {
  if (f.bearer === undefined) {
    f.bearer = bearerToken(f.c) ?? null
  }
  return f.bearer
}

/** The request's X-API-Key, or null (read once). */
function apiKeyOf(f: Facts): string | null {
  if (f.apiKey === undefined) f.apiKey = header(f.c, 'x-api-key') ?? null
  return f.apiKey
}
