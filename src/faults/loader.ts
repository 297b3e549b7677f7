import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { z } from 'zod'
import { describeIssue, formatPath, InputError, readDataFile, valueAt } from '../load-file.js'
import { kinds } from './kinds/index.js'
import { compileScenario, type CompiledScenario } from './compile.js'
import { Scenario } from './schema.js'

/** The built-in scenario library shipped in `scenarios/`. */
export const builtInDir = fileURLToPath(new URL('../../scenarios/', import.meta.url))

/** Every problem of a scenario value, as `<path> must be ... (got ...)`. */
export function scenarioProblems(data: unknown): string[] {
  const parsed = Scenario.safeParse(data)
  return parsed.success ? [] : parsed.error.issues.map((i) => describeScenarioIssue(i, data))
}

function describeScenarioIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const where = formatPath(issue.path) || '(top level)'
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'kind') {
    const kind = valueAt(data, issue.path)
    return `${where} must be one of ${kinds.map((k) => k.kind).join(', ')} (got ${kind === undefined ? 'nothing' : JSON.stringify(kind)})`
  }
  return `${where} ${describeIssue(issue, valueAt(data, issue.path))}`
}

/** Reads, validates and compiles one scenario file; any problem throws, naming the file and every field. */
export function loadScenarioFile(file: string, source = file): CompiledScenario {
  const data = readDataFile(file)
  const problems = scenarioProblems(data)
  if (problems.length) throw new InputError(`Failed to load ${file}: ${problems.join(`\n  ${file}: `)}`)
  return compileScenario(Scenario.parse(data), source)
}

/** Compiles an inline scenario (control API); throws the problems list. */
export function compileInline(data: unknown): CompiledScenario {
  return compileScenario(Scenario.parse(data), 'inline')
}

/** Every `*.yaml`, `*.yml` and `*.json` scenario in `dir` (the schema file excepted), by name. */
export function loadLibrary(dir = builtInDir): Map<string, CompiledScenario> {
  const library = new Map<string, CompiledScenario>()
  let files: string[]
  try {
    files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith('.schema.json')).sort()
  } catch {
    return library
  }
  for (const f of files) {
    const scenario = loadScenarioFile(join(dir, f), `built-in: ${basename(f)}`)
    const twin = library.get(scenario.name)
    if (twin) throw new InputError(`Failed to load ${join(dir, f)}: name "${scenario.name}" is already used by ${twin.source}`)
    library.set(scenario.name, scenario)
  }
  return library
}

/** `--scenario NAME|FILE`: a library name, else a file (added to the library). */
export function resolveScenario(ref: string, library: Map<string, CompiledScenario>): CompiledScenario {
  const known = library.get(ref)
  if (known) return known
  if (!/[./\\]/.test(ref)) throw new InputError(`--scenario ${ref}: no such scenario (built-in: ${[...library.keys()].join(', ') || 'none'}; or give a file path)`)
  const scenario = loadScenarioFile(ref)
  library.set(scenario.name, scenario)
  return scenario
}
