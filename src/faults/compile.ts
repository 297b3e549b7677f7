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
export class RuleIndex {
  /** Per method, the rules that can match it, in rule order (computed once). */
  private byMethod = new Map<string, CompiledRule[]>()
  private anyMethod: CompiledRule[]

  constructor(readonly rules: CompiledRule[]) {
    this.anyMethod = rules.filter((r) => !r.methods)
    for (const m of new Set(rules.flatMap((r) => [...(r.methods ?? [])]))) this.byMethod.set(m, rules.filter((r) => !r.methods || r.methods.has(m)))
  }

  /** Rules whose method and path match, in rule order. */
  candidates(method: string, path: string): CompiledRule[] {
    const pool = this.byMethod.get(method) ?? this.anyMethod
    if (pool.length === 0) return pool
    return pool.filter((r) => (!r.paths || r.paths.some((p) => matchPath(p, path))) && !r.excluded?.some((p) => matchPath(p, path)))
  }
}

/** Compiles a validated scenario; `source` is where it came from (file path, `inline`, `built-in`). */
export function compileScenario(s: Scenario, source: string): CompiledScenario {
  const ids: string[] = []
  const compileRules = (rules: Rule[], prefix: string) =>
    new RuleIndex(
      rules.map((r, i) => {
        const id = `${s.name}/${prefix}${r.name ?? `rule-${i}`}`
        ids.push(id)
        return compileRule(r, id)
      }),
    )
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

/** Compiles one rule under `id` (also used for one-off faults). */
export function compileRule(r: Rule, id: string): CompiledRule {
  const methods = r.match.method === undefined ? null : new Set([r.match.method].flat())
  const paths = r.match.path === undefined ? null : [r.match.path].flat().map(compilePath)
  const excluded = r.match.exclude_path === undefined ? null : [r.match.exclude_path].flat().map(compilePath)
  return { id, methods, paths, excluded, match: r.match, when: r.when, kind: kindByName.get(r.fault.kind)!, fault: r.fault as Fault }
}
