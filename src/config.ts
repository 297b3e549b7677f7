import { dirname, isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import { describeIssue, formatPath, InputError, readDataFile, UnreadableFileError } from './load-file.js'
import { defaultRateLimits, loadRateLimitFile, type RateLimitTable } from './api/rate-limits.js'

const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v
  if (/^(true|1|yes|on)$/i.test(v)) return true
  if (/^(false|0|no|off)$/i.test(v)) return false
  return v
}, z.boolean('must be true or false'))
const int = (min: number, max: number) => {
  const expected = `must be an integer from ${min} to ${max}`
  return z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z.number(expected).int(expected).min(min, expected).max(max, expected),
  )
}
const nonEmpty = z.string('must be a string').min(1, 'must not be empty')

/**
 * Every setting of the server, from flags, environment variables (`HALTLESS_MOCK_<NAME>`) or a
 * config file. The defaults below are the emulator's choices where the Haltless reference is silent;
 * each can be changed here.
 */
export const ConfigSchema = z.object({
  port: int(0, 65535).default(4010).describe('TCP port to listen on'),
  host: nonEmpty.default('127.0.0.1').describe('interface to listen on'),
  seed: int(0, 2 ** 32 - 1).optional().describe('seed for every random choice (ids, keys); random when omitted'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  logFormat: z.enum(['auto', 'json', 'pretty'], 'must be auto, json or pretty').default('auto').describe('log lines: pretty on a terminal, JSON otherwise (auto), or always one of them'),
  demo: bool.default(true).describe('load the demo tenants; false starts empty'),
  rateLimits: nonEmpty.default('on').describe('"on", "off", or a YAML/JSON rate-limit table file'),
  // emulator choices (reference gaps)
  jwtSecret: z.string('must be a string').min(16, 'must be at least 16 characters').default('haltless-mock-dev-secret-do-not-use-in-production'),
  accessTokenTtlS: int(1, 31_536_000).default(900).describe('access token lifetime, seconds (15 min)'),
  mfaPendingTtlS: int(1, 31_536_000).default(300).describe('MFA-pending token lifetime, seconds (5 min)'),
  refreshTokenTtlS: int(1, 31_536_000).default(604_800).describe('refresh token lifetime, seconds (7 days)'),
  mfaTestCode: z.string('must be a string').regex(/^(\d{6})?$/, 'must be 6 digits or ""').default('000000').describe('6-digit code always accepted by MFA; "" disables'),
  apiKeyPrefix: z.string('must be a string').min(1, 'must be 1 to 16 characters').max(16, 'must be 1 to 16 characters').default('hk_').describe('prefix of generated API keys'),
  pastDueGraceDays: int(0, 3650).default(7).describe('grace period of a past_due subscription, days'),
  maxBodyBytes: int(1, 1_073_741_824).default(10 * 1024 * 1024).describe('request body limit, bytes (10 MB)'),
  alwaysSendRateLimitReset: bool.default(false).describe('send X-RateLimit-Reset on every response, not only 429'),
  // the scenario engine
  scenarios: z
    .preprocess((v) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : v), z.array(nonEmpty, 'must be a list of scenario names or files'))
    .default([])
    .describe('scenarios active in every session from the first request (names or files)'),
  faultHeaders: bool.default(true).describe('label injected faults with X-Mock-Fault and X-Mock-Rule'),
  allowHeaderFaults: bool.default(false).describe('let requests ask for a fault (X-Mock-Fault, Prefer: code=...)'),
  journalSize: int(0, 1_000_000).default(1000).describe('journal entries kept per session (0: no journal)'),
  adminToken: z.string('must be a string').min(8, 'must be at least 8 characters').optional().describe('control plane: require X-Mock-Admin-Token (else loopback clients only)'),
  // proxy and hybrid modes
  mode: z.enum(['mock', 'proxy', 'hybrid'], 'must be mock, proxy or hybrid').default('mock').describe('mock: the emulator; proxy: forward to --upstream; hybrid: --mock-route routes from the emulator, the rest forwarded'),
  upstream: z
    .string('must be a URL')
    .refine((s) => /^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(s) && URL.canParse(s), 'must be an http:// or https:// URL without query or fragment')
    .default('https://api.haltless.io')
    .describe('where proxy and hybrid modes forward /api/v1'),
  upstreamTimeoutMs: int(1, 3_600_000).default(30_000).describe('upstream answer timeout, ms (then 504)'),
  mockRoutes: z
    .preprocess((v) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : v), z.array(z.string().regex(/^(\*|[A-Z]+) \/\S*$/, 'must be "METHOD /path" (METHOD or *, path with * wildcards)'), 'must be a list of "METHOD /path" routes'))
    .default([])
    .describe('hybrid mode: routes the emulator answers, e.g. "POST /api/v1/ingest"'),
  record: z.string('must be a file path').min(1, 'must not be empty').optional().describe('proxy/hybrid: append each forwarded exchange to this JSON Lines file, secrets redacted'),
  drift: bool.default(true).describe('proxy/hybrid: compare upstream answers with the emulator\'s schemas and catalog'),
  driftSample: int(1, 1_000_000).default(10).describe('drift: after the first 100 answers of a route and status, check 1 body in this many (1 = every body)'),
  // persistence
  stateFile: z.string('must be a file path').min(1, 'must not be empty').optional().describe('keep the API state in this JSON file: loaded at start, saved after changes and at shutdown'),
})
export type Config = z.infer<typeof ConfigSchema> & { rateLimitTable: RateLimitTable | null }

/** Config keys that are also command-line flags (others come from the file or environment). */
export const flagOf: Partial<Record<keyof z.infer<typeof ConfigSchema>, string>> = {
  port: '--port',
  host: '--host',
  seed: '--seed',
  logLevel: '--log-level',
  logFormat: '--log-format',
  demo: '--no-demo',
  rateLimits: '--rate-limits',
  scenarios: '--scenario',
  faultHeaders: '--no-fault-headers',
  allowHeaderFaults: '--allow-header-faults',
  journalSize: '--journal-size',
  adminToken: '--admin-token',
  mode: '--mode',
  upstream: '--upstream',
  upstreamTimeoutMs: '--upstream-timeout',
  mockRoutes: '--mock-route',
  record: '--record',
  drift: '--no-drift',
  driftSample: '--drift-sample',
  stateFile: '--state-file',
}

/** `HALTLESS_MOCK_LOG_LEVEL` for `logLevel`. */
export const envNameOf = (key: string): string => `HALTLESS_MOCK_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`

/**
 * Merges file < environment < flags, validates once, and names the source of a bad value:
 * `--port must be an integer from 0 to 65535 (got "70000")`,
 * `Failed to load mock.yaml: port must be an integer from 0 to 65535 (got 70000)`.
 */
export function resolveConfig(input: { flags?: Record<string, unknown>; env?: NodeJS.ProcessEnv; file?: string }): Config {
  const sources = new Map<string, string>()
  const merged: Record<string, unknown> = {}
  const file = input.file ?? input.env?.HALTLESS_MOCK_CONFIG
  if (file) {
    const fileSource = input.file !== undefined ? '--config' : 'HALTLESS_MOCK_CONFIG'
    let data: unknown
    try {
      data = readDataFile(file) ?? {}
    } catch (err) {
      if (err instanceof UnreadableFileError) throw new InputError(`${fileSource} must be a YAML or JSON file of settings (cannot read ${file}: ${err.reason})`)
      throw err
    }
    if (typeof data !== 'object' || Array.isArray(data)) throw new InputError(`Failed to load ${file}: expected a mapping of settings`)
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      if (!(k in ConfigSchema.shape)) throw new InputError(`Failed to load ${file}: unknown setting "${k}" (expected one of ${Object.keys(ConfigSchema.shape).join(', ')})`)
      // a table or state file named in the config file is found next to it, not in the working directory
      const path = (k === 'rateLimits' && v !== 'on' && v !== 'off') || k === 'stateFile'
      merged[k] = path && typeof v === 'string' && !isAbsolute(v) ? resolve(dirname(file), v) : v
      sources.set(k, `Failed to load ${file}: ${k}`)
    }
  }
  for (const key of Object.keys(ConfigSchema.shape)) {
    const v = input.env?.[envNameOf(key)]
    if (v !== undefined && v !== '') {
      merged[key] = v
      sources.set(key, envNameOf(key))
    }
  }
  for (const [k, v] of Object.entries(input.flags ?? {})) {
    if (v === undefined) continue
    merged[k] = v
    sources.set(k, flagOf[k as keyof typeof flagOf] ?? `--${k}`)
  }
  const parsed = ConfigSchema.safeParse(merged)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const key = String(issue.path[0])
    const where = sources.get(key) ?? formatPath(issue.path)
    throw new InputError(`${where} ${describeIssue(issue, merged[key])}`)
  }
  const cfg = parsed.data
  try {
    return { ...cfg, rateLimitTable: rateLimitTableFor(cfg.rateLimits) }
  } catch (err) {
    if (err instanceof UnreadableFileError)
      throw new InputError(`${sources.get('rateLimits') ?? 'rateLimits'} must be "on", "off" or a YAML/JSON rate-limit table file (cannot read ${err.file}: ${err.reason})`)
    throw err
  }
}

/** `on` → the built-in table, `off` → none, anything else → a table file. */
export function rateLimitTableFor(setting: string): RateLimitTable | null {
  if (setting === 'on') return defaultRateLimits
  if (setting === 'off') return null
  return loadRateLimitFile(setting)
}

/** The defaults, for tests and the test helper. */
export const defaultConfig = (): Config => resolveConfig({})
