import type { Context } from 'hono'
import type { AppEnv } from '../api/context.js'
import { validationError } from '../api/errors.js'
import { compileRule, type CompiledRule } from './compile.js'
import { Fault } from './schema.js'

/** `Prefer: code=<status>` (Prism's convention) → the kind that answers the catalog's error for it. */
export const preferCodes: Record<number, string> = {
  401: 'token_expired',
  402: 'payment_required',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'validation_error',
  429: 'rate_limited',
  500: 'internal_error',
  503: 'service_unavailable',
}

/**
 * The fault a request asks for itself (only with --allow-header-faults): `X-Mock-Fault: latency; ms=300`
 * or `Prefer: code=429`. Returns undefined when it asks for none; throws the API's 422 when the
 * header is not a valid fault.
 */
export function headerFault(c: Context<AppEnv>): CompiledRule | undefined {
  const header = c.req.header('x-mock-fault')
  const prefer = c.req.header('prefer')
  let fault: Record<string, unknown> | undefined
  let loc = 'x-mock-fault'
  if (header) {
    const [kind, ...pairs] = header.split(';').map((p) => p.trim())
    fault = { kind }
    for (const pair of pairs.filter(Boolean)) {
      const [k, ...v] = pair.split('=')
      fault[k!.trim()] = coerce(v.join('=').trim())
    }
  } else if (prefer) {
    const code = /(?:^|[,;\s])code=(\d{3})\b/.exec(prefer)?.[1]
    if (!code) return undefined
    loc = 'prefer'
    const kind = preferCodes[Number(code)]
    if (!kind) throw validationError([{ loc: ['header', loc], msg: `Input should be one of code=${Object.keys(preferCodes).join(', ')}`, type: 'enum' }])
    fault = { kind }
  } else return undefined
  const parsed = Fault.safeParse(fault)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw validationError([{ loc: ['header', loc, ...issue.path.map(String)], msg: issue.message, type: 'value_error' }])
  }
  return compileRule({ match: {}, when: { per: 'session' }, fault: parsed.data }, `header/${parsed.data.kind}`)
}

function coerce(v: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v)
  if (v === 'true' || v === 'false') return v === 'true'
  return v
}
