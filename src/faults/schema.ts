import { z } from 'zod'
import { roles } from '../api/permissions.js'
import { Duration } from './durations.js'
import { kinds } from './kinds/index.js'

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const
const Method = z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(methods))
const PathPattern = z.string().regex(/^\//, 'a path starting with "/"').describe('path; * is one segment, ** any number of segments')
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'made of letters, digits, "_", "." and "-"').max(100)

/** Which requests a rule applies to; every given field must match. */
export const Match = z
  .object({
    method: z.union([Method, z.array(Method).min(1)]).optional().describe('one method or a list'),
    path: z.union([PathPattern, z.array(PathPattern).min(1)]).optional().describe('one pattern or a list'),
    exclude_path: z.union([PathPattern, z.array(PathPattern).min(1)]).optional().describe('paths the rule never applies to'),
    headers: z.record(z.string(), z.string()).optional().describe('header values, exact; "*" means present'),
    query: z.record(z.string(), z.string()).optional().describe('query values, exact; "*" means present'),
    body: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional().describe('top-level JSON body fields, exact'),
    credential: z.enum(['jwt', 'api_key', 'none']).optional().describe('which credential the request carries'),
    role: z.enum(roles).optional().describe("the JWT's role"),
    tenant: z.string().min(1).optional().describe('tenant id or name'),
  })
  .strict()

/** When a matching request gets the fault (all given conditions must hold). */
export const When = z
  .object({
    after: z.number().int().min(0).optional().describe('skip the first N matches'),
    times: z.number().int().min(1).optional().describe('fire at most N times'),
    every: z.number().int().min(1).optional().describe('fire on every Nth match (after `after`)'),
    probability: z.number().min(0).max(1).optional().describe('chance per match, seeded'),
    from: Duration.optional().describe('not before this long after activation (or the phase start)'),
    until: Duration.optional().describe('not from this long after activation (or the phase start)'),
    per: z.enum(['session', 'credential']).default('session').describe('count matches per session, or per presented token or key'),
  })
  .strict()

/** A fault: its `kind` and that kind's options, flat. */
export const Fault = z.discriminatedUnion(
  'kind',
  kinds.map((k) => k.options.extend({ kind: z.literal(k.kind).describe(k.description) }).strict()) as unknown as [
    z.ZodObject<{ kind: z.ZodLiteral<string> }>,
    ...z.ZodObject<{ kind: z.ZodLiteral<string> }>[],
  ],
)
export type Fault = z.infer<typeof Fault> & Record<string, unknown>

/** One rule: match → when → fault. */
export const Rule = z
  .object({
    name: name.optional().describe('default rule-<index>'),
    match: Match.default({}),
    when: When.default({ per: 'session' }),
    fault: Fault.default({ kind: 'pass' }).describe('default: pass (no fault)'),
    serve: z.enum(['mock', 'upstream']).optional().describe('proxy/hybrid modes: answer this request from the emulator (mock) or the upstream'),
  })
  .strict()
export type Rule = z.infer<typeof Rule>

/** A phase: its rules hold for `duration` or `requests` (whichever ends first; neither: for ever). */
export const Phase = z
  .object({
    name: name.optional().describe('default phase-<index>'),
    duration: Duration.optional(),
    requests: z.number().int().min(1).optional().describe('the phase ends after this many requests of the session'),
    rules: z.array(Rule).default([]),
  })
  .strict()

/** A scenario file (YAML or JSON). */
export const Scenario = z
  .object({
    $schema: z.string().optional(),
    name,
    description: z.string().max(1000).optional(),
    rules: z.array(Rule).default([]).describe('always active, before the current phase\'s rules'),
    phases: z.array(Phase).optional(),
    repeat: z.boolean().default(false).describe('start the phases again after the last one'),
  })
  .strict()
export type Scenario = z.infer<typeof Scenario>

/** The JSON Schema of scenario files, for editors. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return { ...(z.toJSONSchema(Scenario, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>), title: 'haltless-mock scenario' }
}
