import { kindByName } from './kinds/index.js'
import type { FaultKind } from './fault-kind.js'
import { compilePath, matchPath, type PathPattern } from './matcher.js'
import type { Fault, Rule, Scenario } from './schema.js'

/** A rule ready to evaluate. */
export interface CompiledRule {
  /** `<scenario>/<rule>`: counters, seeds and the X-Mock-Rule header use it. */
  id: string
  methods: Set<string> | null
  paths: PathPattern[] | null
  excluded: PathPattern[] | null
  match: Rule['match']
  when: Rule['when']
  kind: FaultKind
  fault: Fault
  /** Proxy/hybrid: the backend this rule sends its requests to. */
  serve?: 'mock' | 'upstream'
  /** No condition beyond method and path: the index alone decides the match. */
  routeOnly: boolean
  /** Probability 0: this rule can never fire (it is still counted). */
  inert: boolean
  /** The run of consecutive rules with this same match that this rule belongs to (runs of 2 or more). */
  run?: RuleRun
}

/**
 * Consecutive rules with the same `match` (and per-session counting): the match is evaluated once
 * per request, only the rules that can fire are looked at, and the others' counts are derived.
 */
export interface RuleRun {
  /** Counter key of the run: requests that matched and reached its first rule. */
  id: string
  rules: CompiledRule[]
  /** The rules that can fire, in order. */
  live: CompiledRule[]
}

export interface CompiledPhase {
  name: string
  durationMs?: number
  requests?: number
  rules: RuleIndex
}

/** A scenario ready to run: its always-on rules and its phases. */
export interface CompiledScenario {
  name: string
  description: string
  source: string
  rules: RuleIndex
  phases: CompiledPhase[]
  repeat: boolean
  ruleIds: string[]
  /** Whether any rule matches on body fields. */
  needsBody: boolean
}

/**
 * Rules indexed by method and literal path prefix: a request only meets the rules that can match
 * its method and path; the candidates keep the scenario's order (first match wins).
 */
const noRules: CompiledRule[] = []

export class RuleIndex {
  /** Per method: rules by the literal prefix of their path patterns, and rules with no path. */
  private byMethod = new Map<string, { byPrefix: Map<string, CompiledRule[]>; anyPath: CompiledRule[] }>()
  /** Groups whose every rule matches its key exactly (no wildcard, no exclude_path): no filtering needed there. */
  private exactGroups = new Set<CompiledRule[]>()
  private order = new Map<CompiledRule, number>()

  constructor(readonly rules: CompiledRule[]) {
    rules.forEach((r, i) => this.order.set(r, i))
    const methods = new Set(rules.flatMap((r) => [...(r.methods ?? [])]))
    for (const m of [...methods, '*']) {
      const pool = rules.filter((r) => !r.methods || r.methods.has(m))
      const byPrefix = new Map<string, CompiledRule[]>()
      for (const r of pool) for (const prefix of new Set(r.paths?.map((p) => p.prefix))) (byPrefix.get(prefix) ?? byPrefix.set(prefix, []).get(prefix)!).push(r)
      this.byMethod.set(m, { byPrefix, anyPath: pool.filter((r) => !r.paths) })
      for (const [key, group] of byPrefix)
        if (group.every((r) => !r.excluded && r.paths!.some((p) => p.regex === null && p.prefix === key))) this.exactGroups.add(group)
    }
  }

  /**
   * Rules whose method and path match, in rule order. Only the groups under the path's own
   * segment prefixes (`/api`, `/api/v1`, `/api/v1/machines`, ...) are looked at.
   */
  candidates(method: string, path: string): CompiledRule[] {
    const index = this.byMethod.get(method) ?? this.byMethod.get('*')!
    if (index.byPrefix.size === 0 && index.anyPath.length === 0) return noRules
    const groups: CompiledRule[][] = []
    let exactHit: CompiledRule[] | undefined
    if (index.byPrefix.size > 0) {
      const root = index.byPrefix.get('')
      if (root) groups.push(root)
      for (let i = path.indexOf('/', 1); ; i = path.indexOf('/', i + 1)) {
        const group = index.byPrefix.get(i === -1 ? path : path.slice(0, i))
        if (group) groups.push(group)
        if (i === -1) {
          if (group && this.exactGroups.has(group)) exactHit = group
          break
        }
      }
    }
    if (index.anyPath.length) groups.push(index.anyPath)
    if (groups.length === 0) return noRules
    // the commonest case, rules on exactly this path and nothing else: they all match as they are
    if (groups.length === 1 && exactHit) return exactHit
    // a rule with several path patterns can sit in several groups: keep it once
    const pool = groups.length === 1 ? groups[0]! : [...new Set(groups.flat())].sort((a, b) => this.order.get(a)! - this.order.get(b)!)
    return pool.filter((r) => pathMatches(r, path))
  }
}

/** Whether a rule's `path` / `exclude_path` let `path` through. */
export const pathMatches = (r: CompiledRule, path: string): boolean =>
  (!r.paths || r.paths.some((p) => matchPath(p, path))) && !r.excluded?.some((p) => matchPath(p, path))

/** Whether a rule's method and paths match, for rules not held in an index (one-off faults). */
export const routeMatches = (r: CompiledRule, method: string, path: string): boolean => (!r.methods || r.methods.has(method)) && pathMatches(r, path)

/** Compiles a validated scenario; `source` is where it came from (file path, `inline`, `built-in`). */
export function compileScenario(s: Scenario, source: string): CompiledScenario {
  const ids: string[] = []
  const compileRules = (rules: Rule[], prefix: string) => {
    const compiled = rules.map((r, i) => {
      const id = `${s.name}/${prefix}${r.name ?? `rule-${i}`}`
      ids.push(id)
      return compileRule(r, id)
    })
    for (const run of findRuns(compiled, rules)) ids.push(run.id)
    return new RuleIndex(compiled)
  }
  return {
    name: s.name,
    description: s.description ?? '',
    source,
    rules: compileRules(s.rules, ''),
    phases: (s.phases ?? []).map((p, i) => {
      const name = p.name ?? `phase-${i}`
      return { name, durationMs: p.duration, requests: p.requests, rules: compileRules(p.rules, `${name}.`) }
    }),
    repeat: s.repeat,
    ruleIds: ids,
    needsBody: [...s.rules, ...(s.phases ?? []).flatMap((p) => p.rules)].some((r) => r.match.body !== undefined),
  }
}

/** Groups consecutive rules whose match and counting are the same into runs (of 2 or more). */
function findRuns(compiled: CompiledRule[], rules: Rule[]): RuleRun[] {
  const runs: RuleRun[] = []
  const keyOf = (r: Rule) => (r.when.per === 'session' ? JSON.stringify(r.match) : undefined)
  for (let i = 0; i < compiled.length; ) {
    let j = i + 1
    const key = keyOf(rules[i]!)
    while (key !== undefined && j < compiled.length && keyOf(rules[j]!) === key) j++
    if (j - i > 1) {
      const members = compiled.slice(i, j)
      const run: RuleRun = { id: `${members[0]!.id}#run`, rules: members, live: members.filter((r) => !r.inert) }
      for (const r of members) r.run = run
      runs.push(run)
    }
    i = j
  }
  return runs
}

/** Compiles one rule under `id` (also used for one-off faults). */
export function compileRule(r: Rule, id: string): CompiledRule {
  const methods = r.match.method === undefined ? null : new Set([r.match.method].flat())
  const paths = r.match.path === undefined ? null : [r.match.path].flat().map(compilePath)
  const excluded = r.match.exclude_path === undefined ? null : [r.match.exclude_path].flat().map(compilePath)
  const { method: _m, path: _p, exclude_path: _x, ...conditions } = r.match
  const routeOnly = Object.values(conditions).every((v) => v === undefined)
  return { id, methods, paths, excluded, routeOnly, inert: r.when.probability === 0, match: r.match, when: r.when, kind: kindByName.get(r.fault.kind)!, fault: r.fault as Fault, serve: r.serve }
}
