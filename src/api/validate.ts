import type { Context, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { AppEnv } from './context.js'
import { validationError, type ValidationItem } from './errors.js'
import { parseJsonBody } from './json-body.js'
import { valueAt } from '../load-file.js'

type Target = 'json' | 'query' | 'param'
const locOf = { json: 'body', query: 'query', param: 'path' } as const

/** A pydantic error pair attached to a custom zod check: `{ type, msg }`. */
export interface PydanticError {
  type: string
  msg: string
}

/**
 * Validates one part of the request against a zod schema and stores the result for
 * `c.req.valid(target)`; a failure is the API's `422` with pydantic v2 `loc`/`msg`/`type` items.
 */
export function validate<T extends z.ZodType, K extends Target>(
  target: K,
  schema: T,
): MiddlewareHandler<AppEnv, string, { in: { [P in K]: z.input<T> }; out: { [P in K]: z.output<T> } }> {
  const parse = target === 'json' ? bodyParser(schema) : inputParser(target as 'query' | 'param', schema)
  return async function validate(c, next) {
    c.req.addValidatedData(target, (await parse(c)) as object)
    await next()
  }
}

/** The path parameters or the query, validated (synchronously); a failure throws the API's 422. */
export function inputParser<T extends z.ZodType>(target: 'query' | 'param', schema: T): (c: Context) => z.output<T> {
  // Most list calls carry no query string: their result (the defaults) is computed once.
  let noQuery: z.ZodSafeParseResult<z.output<T>> | undefined
  return (c) => {
    if (target === 'query' && !c.req.url.includes('?')) return checked((noQuery ??= schema.safeParse({})), {}, target)
    const data = target === 'query' ? c.req.query() : c.req.param()
    return checked(schema.safeParse(data), data, target)
  }
}

/** The JSON body, read and validated; a failure throws the API's 422. */
export function bodyParser<T extends z.ZodType>(schema: T): (c: Context) => Promise<z.output<T>> {
  return async (c) => {
    const data = readJson(await c.req.text(), c.req.header('content-type'))
    return checked(schema.safeParse(data), data, 'json')
  }
}

function checked<T>(parsed: z.ZodSafeParseResult<T>, data: unknown, target: Target): T {
  if (!parsed.success) throw validationError(parsed.error.issues.flatMap((i) => toPydantic(i, data, locOf[target])))
  return parsed.data
}

/**
 * The request body as FastAPI reads it for a JSON model: empty → missing, non-JSON type → not a
 * dict. The text comes through HonoRequest's cache, so a fault that read or rewrote it first is seen.
 */
function readJson(text: string, contentType: string | undefined): unknown {
  if (contentType && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType.trim())) {
    throw validationError([{ loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type' }])
  }
  if (text.length === 0) throw validationError([{ loc: ['body'], msg: 'Field required', type: 'missing' }])
  const result = parseJsonBody(text)
  if (!result.ok) throw validationError([{ loc: ['body', result.offset], msg: 'JSON decode error', type: 'json_invalid' }])
  // FastAPI treats a JSON `null` body like no body at all.
  if (result.value === null) throw validationError([{ loc: ['body'], msg: 'Field required', type: 'missing' }])
  return result.value
}

/**
 * One zod issue as the pydantic v2 items FastAPI would emit. A union failure reports the branch
 * that got furthest into the input (a list's items for a list), as one item per problem.
 */
export function toPydantic(issue: z.core.$ZodIssue, data: unknown, where: 'body' | 'query' | 'path', prefix: PropertyKey[] = []): ValidationItem[] {
  const path = [...prefix, ...issue.path]
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // The branch that got furthest: its problems lie inside the value, not at its type.
    const branch = issue.errors.find((b) => b.every((i) => i.path.length > 0)) ?? issue.errors[0]!
    return branch.flatMap((i) => toPydantic(i, data, where, path))
  }
  const input = valueAt(data, path)
  const [type, msg] = describe(issue, input, where)
  return [{ loc: [where, ...path.map((p) => (typeof p === 'number' ? p : String(p)))], msg, type }]
}

function describe(issue: z.core.$ZodIssue, input: unknown, where: string): [string, string] {
  // A required field left out is `missing` whatever its type (an enum's or a custom check's too).
  if (input === undefined) return ['missing', 'Field required']
  switch (issue.code) {
    case 'invalid_type':
      return typeMismatch(issue.expected, input, where)
    case 'too_big':
      if (issue.origin === 'string') return ['string_too_long', `String should have at most ${plural(issue.maximum, 'character')}`]
      if (issue.origin === 'array') return ['too_long', `List should have at most ${plural(issue.maximum, 'item')} after validation, not ${(input as unknown[]).length}`]
      return ['less_than_equal', `Input should be less than or equal to ${issue.maximum}`]
    case 'too_small':
      if (issue.origin === 'string') return ['string_too_short', `String should have at least ${plural(issue.minimum, 'character')}`]
      if (issue.origin === 'array') return ['too_short', `List should have at least ${plural(issue.minimum, 'item')} after validation, not ${(input as unknown[]).length}`]
      return ['greater_than_equal', `Input should be greater than or equal to ${issue.minimum}`]
    case 'invalid_value':
      return ['enum', `Input should be ${orList(issue.values.map((v) => `'${String(v)}'`))}`]
    case 'invalid_format':
      if (issue.format === 'email') return ['value_error', 'value is not a valid email address']
      if (issue.format === 'uuid') return ['uuid_parsing', uuidMessage(String(input))]
      if (issue.format === 'regex') return ['string_pattern_mismatch', `String should match pattern '${String((issue as { pattern?: string }).pattern ?? '').replace(/^\/|\/[a-z]*$/g, '')}'`]
      return ['value_error', `Value error, ${issue.message}`]
    case 'invalid_union': {
      // a discriminated union (a fault's `kind`) given an unknown tag: pydantic's union_tag_invalid
      const tags = [...issue.message.matchAll(/'([^']+)'/g)].map((m) => `'${m[1]}'`).join(', ')
      const key = String(issue.path.at(-1) ?? 'kind')
      return ['union_tag_invalid', `Input tag '${String(input)}' found using '${key}' does not match any of the expected tags: ${tags}`]
    }
    case 'custom': {
      const p = issue.params as PydanticError | undefined
      return p?.type ? [p.type, p.msg] : ['value_error', `Value error, ${issue.message}`]
    }
    default:
      return ['value_error', `Value error, ${issue.message}`]
  }
}

function typeMismatch(expected: string, input: unknown, where: string): [string, string] {
  const fromText = where !== 'body' && typeof input === 'string'
  switch (expected) {
    case 'string':
      return ['string_type', 'Input should be a valid string']
    case 'int':
      if (fromText) return ['int_parsing', 'Input should be a valid integer, unable to parse string as an integer']
      if (typeof input === 'number') return ['int_from_float', 'Input should be a valid integer, got a number with a fractional part']
      return ['int_type', 'Input should be a valid integer']
    case 'number':
      return fromText ? ['float_parsing', 'Input should be a valid number, unable to parse string as a number'] : ['float_type', 'Input should be a valid number']
    case 'boolean':
      return fromText ? ['bool_parsing', 'Input should be a valid boolean, unable to interpret input'] : ['bool_type', 'Input should be a valid boolean']
    case 'array':
      return ['list_type', 'Input should be a valid list']
    case 'object':
    case 'record':
      return ['model_attributes_type', 'Input should be a valid dictionary or object to extract fields from']
    default:
      return ['value_error', `Input should be a valid ${expected}`]
  }
}

/** pydantic's wording for a string that is not a UUID (the `uuid` crate's reasons). */
export function uuidMessage(input: string): string {
  const bad = /[^0-9a-fA-F-]/.exec(input)
  const reason = bad
    ? `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${bad[0]}\` at ${bad.index + 1}`
    : input.includes('-')
      ? `invalid group count: expected 5, found ${input.split('-').length}`
      : `invalid length: expected length 32 for simple format, found ${input.length}`
  return `Input should be a valid UUID, ${reason}`
}

const plural = (n: number | bigint, word: string): string => `${n} ${word}${Number(n) === 1 ? '' : 's'}`
const orList = (items: string[]): string => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`)

/** pydantic's (speedate's) reason for the commonest datetime failures. */
function datetimeReason(s: string): string {
  if (!/^\d{4}/.test(s)) return 'invalid character in year'
  if (s.length < 10) return 'input is too short'
  return 'invalid datetime separator, expected `T`, `t`, `_` or space'
}

/** A path parameter that must be a UUID: `422` with loc `["path", name]`, type `uuid_parsing`. */
export const uuidParam = z
  .string()
  .superRefine((s, ctx) => {
    if (!uuidPattern.test(s)) ctx.addIssue({ code: 'custom', params: { type: 'uuid_parsing', msg: uuidMessage(s) } })
  })
  .transform((s) => canonicalUuid(s))
  .meta({ format: 'uuid' })
const uuidPattern = /^(?:urn:uuid:)?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/

/** `550e8400-e29b-...` in lower case with dashes, as pydantic's UUID prints. */
function canonicalUuid(s: string): string {
  const h = s.replace(/^urn:uuid:/, '').replace(/-/g, '').toLowerCase()
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** An ISO 8601 datetime (fractional seconds and offsets accepted; naive means UTC) as epoch ms. */
export const datetime = z.string().transform((s, ctx) => {
  const ms = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}:?\d{2})?$/.test(s)
    ? Date.parse(/(?:Z|z|[+-]\d{2}:?\d{2})$/.test(s) ? s.replace(' ', 'T') : `${s.replace(' ', 'T')}Z`)
    : NaN
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', params: { type: 'datetime_from_date_parsing', msg: `Input should be a valid datetime or date, ${datetimeReason(s)}` } })
    return z.NEVER
  }
  return ms
}).meta({ format: 'date-time' })

/** Query integer with pydantic's parsing errors, bounds and default. */
export const queryInt = (min: number, max: number, fallback: number) =>
  z
    .preprocess((v, ctx) => {
      if (typeof v !== 'string') return v
      if (/^\s*[-+]?\d+\s*$/.test(v)) return Number(v)
      ctx.addIssue({ code: 'custom', params: { type: 'int_parsing', msg: 'Input should be a valid integer, unable to parse string as an integer' } })
      return z.NEVER
    }, z.int().min(min).max(max))
    .default(fallback)
    .meta({ default: fallback })

/** Query boolean as pydantic reads one (`true/false/1/0/yes/no/on/off`). */
export const queryBool = z.preprocess((v) => {
  if (typeof v !== 'string') return v
  if (/^(true|1|yes|on|t|y)$/i.test(v)) return true
  if (/^(false|0|no|off|f|n)$/i.test(v)) return false
  return v
}, z.boolean())

/** Page and page size of every paginated list (reference section 1). */
export const pagination = { page: queryInt(1, 1_000_000, 1), page_size: queryInt(1, 100, 20) }

/** Schema of the pagination envelope around `item` (for the OpenAPI document). */
export const pageOf = (item: z.ZodType) => z.object({ items: z.array(item), total: z.int(), page: z.int(), page_size: z.int(), total_pages: z.int() })

/** The pagination envelope: always with `total_pages` (= ceil(total / page_size), 0 when empty). */
export function paginate<T>(all: T[], page: number, pageSize: number) {
  return {
    items: all.slice((page - 1) * pageSize, page * pageSize),
    total: all.length,
    page,
    page_size: pageSize,
    total_pages: Math.ceil(all.length / pageSize),
  }
}
