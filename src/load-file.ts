import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'

/** Raised for a bad flag, environment variable or file; the CLI prints `message` and exits 2. */
export class InputError extends Error {}

/** A file that could not be read at all (missing, a directory, no permission). */
export class UnreadableFileError extends InputError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`Cannot read ${file}: ${reason}`)
  }
}

const readFailures: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
}

/** Reads a YAML or JSON file (JSON is YAML) or throws an InputError naming the file. */
export function readDataFile(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new UnreadableFileError(file, (code && readFailures[code]) ?? (err as Error).message)
  }
  try {
    return parseYaml(text, { prettyErrors: true })
  } catch (err) {
    throw new InputError(`Failed to parse ${file}: ${(err as Error).message.split('\n')[0]!.replace(/:$/, '')}`)
  }
}

/** `rules[2].when.every`: a zod issue path as a reader writes it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part)
  return out
}

/**
 * One zod issue as `<where> must be <expectation> (got <value>)`. A schema's own message written
 * as `must …` (`z.number('must be an integer from 0 to 65535')`) is used as it is.
 */
export function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const got = value === undefined ? 'nothing' : JSON.stringify(value)
  if (/^must /.test(issue.message)) return `${issue.message} (got ${got})`
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? `is required (expected ${issue.expected})` : `must be ${article(issue.expected)} (got ${got})`
    case 'too_big':
      return `must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}${unitOf(issue.origin)} (got ${got})`
    case 'too_small':
      return `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}${unitOf(issue.origin)} (got ${got})`
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (got ${got})`
    case 'invalid_format':
      return `${issue.message.startsWith('must ') ? issue.message : `must be ${issue.message}`} (got ${got})`
    case 'unrecognized_keys':
      return `has unknown field(s) ${issue.keys.join(', ')}`
    default:
      return `${issue.message} (got ${got})`
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

function unitOf(origin: string): string {
  return origin === 'string' ? ' characters' : origin === 'array' ? ' items' : ''
}

/** The value at `path` inside `data`, or undefined. */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<PropertyKey, unknown>)[key]
  }
  return cur
}
