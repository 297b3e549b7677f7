import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'

/**
 * The catalog of Haltless error messages: every status and `detail` the emulator can answer with
 * lives here and nowhere else. Texts are byte-exact copies of the API reference's Error catalog
 * (section 21); rows marked `chosen` are the emulator's pick where the reference is silent.
 */
export const errors = {
  // 400: business rules (chosen texts)
  bad_request: { status: 400, detail: 'Bad request.', source: 'chosen' }, // Node's HTTP parser refused the request
  invalid_mfa_code_setup: { status: 400, detail: 'Invalid MFA code.', source: 'chosen' },
  invalid_status_transition: { status: 400, detail: 'Invalid status transition.', source: 'chosen' },
  work_order_not_completed: { status: 400, detail: 'Work order must be completed before sign-off.', source: 'chosen' },
  signoff_limit: { status: 400, detail: 'Maximum of 20 sign-offs per work order reached.', source: 'chosen' },
  escalation_policy_limit: { status: 400, detail: 'Maximum of 50 escalation policies per tenant reached.', source: 'chosen' },
  erp_connection_limit: { status: 400, detail: 'Maximum of 10 ERP connections per tenant reached.', source: 'chosen' },
  current_password_incorrect: { status: 400, detail: 'Current password is incorrect.', source: 'chosen' },
  downtime_already_ended: { status: 400, detail: 'Downtime event already ended.', source: 'chosen' },
  insufficient_stock: { status: 400, detail: 'Insufficient stock.', source: 'chosen' },
  // 401: authentication
  invalid_credentials: { status: 401, detail: 'Invalid email or password.', source: 'documented' },
  token_expired: { status: 401, detail: 'Authentication token has expired.', source: 'documented' },
  token_invalid: { status: 401, detail: 'Invalid authentication token.', source: 'documented' },
  not_authenticated: { status: 401, detail: 'Not authenticated', source: 'chosen' }, // FastAPI default, no period
  api_key_invalid: { status: 401, detail: 'Invalid API key.', source: 'chosen' },
  admin_token_required: { status: 401, detail: 'Admin token required.', source: 'chosen' }, // the control plane (not the API): --admin-token
  invalid_mfa_code: { status: 401, detail: 'Invalid MFA code.', source: 'chosen' },
  // 402: subscription
  payment_required: { status: 402, detail: 'Subscription inactive. Please update your billing information.', source: 'chosen' },
  // 403: role, scope, account
  user_inactive: { status: 403, detail: 'User account is inactive.', source: 'documented' }, // status chosen
  forbidden: { status: 403, detail: 'Insufficient permissions.', source: 'chosen' },
  signoff_reauth_failed: { status: 403, detail: 'Password verification failed. Sign-off requires re-authentication.', source: 'documented' }, // status chosen
  // 404: not found (another tenant's resource is indistinguishable from a missing one)
  route_not_found: { status: 404, detail: 'Not Found', source: 'chosen' }, // FastAPI default
  tenant_not_found: { status: 404, detail: 'Tenant not found.', source: 'documented' }, // status chosen
  machine_not_found: { status: 404, detail: 'Machine not found.', source: 'documented' },
  alert_not_found: { status: 404, detail: 'Alert not found.', source: 'chosen' },
  alert_rule_not_found: { status: 404, detail: 'Alert rule not found.', source: 'chosen' },
  work_order_not_found: { status: 404, detail: 'Work order not found.', source: 'chosen' },
  maintenance_event_not_found: { status: 404, detail: 'Maintenance event not found.', source: 'chosen' },
  signoff_not_found: { status: 404, detail: 'Sign-off not found.', source: 'chosen' },
  api_key_not_found: { status: 404, detail: 'API key not found.', source: 'chosen' },
  user_not_found: { status: 404, detail: 'User not found.', source: 'chosen' },
  notification_channel_not_found: { status: 404, detail: 'Notification channel not found.', source: 'chosen' },
  escalation_policy_not_found: { status: 404, detail: 'Escalation policy not found.', source: 'chosen' },
  downtime_not_found: { status: 404, detail: 'Downtime record not found.', source: 'chosen' },
  shift_definition_not_found: { status: 404, detail: 'Shift definition not found.', source: 'chosen' },
  shift_log_not_found: { status: 404, detail: 'Shift log not found.', source: 'chosen' },
  reason_code_not_found: { status: 404, detail: 'Reason code not found.', source: 'chosen' },
  part_not_found: { status: 404, detail: 'Part not found.', source: 'chosen' },
  category_not_found: { status: 404, detail: 'Category not found.', source: 'chosen' },
  erp_connection_not_found: { status: 404, detail: 'ERP connection not found.', source: 'chosen' },
  // 405, 409, 413, 429, 431
  method_not_allowed: { status: 405, detail: 'Method Not Allowed', source: 'chosen' }, // FastAPI default
  machine_conflict: { status: 409, detail: 'A machine with this identifier already exists for this tenant.', source: 'documented' },
  email_conflict: { status: 409, detail: 'A user with this email already exists.', source: 'chosen' },
  part_number_conflict: { status: 409, detail: 'A part with this part number already exists for this tenant.', source: 'chosen' },
  body_too_large: { status: 413, detail: 'Request body too large.', source: 'chosen' },
  rate_limited: { status: 429, detail: 'Rate limit exceeded.', source: 'documented' },
  headers_too_large: { status: 431, detail: 'Request header fields too large.', source: 'chosen' },
  // 5xx
  upstream_unavailable: { status: 502, detail: 'Upstream unavailable.', source: 'chosen' }, // proxy mode: upstream refused or unreachable
  upstream_timeout: { status: 504, detail: 'Upstream timed out.', source: 'chosen' }, // proxy mode: no answer within --upstream-timeout
  internal_error: { status: 500, detail: 'Internal server error.', source: 'chosen' },
  service_unavailable: { status: 503, detail: 'Service temporarily unavailable.', source: 'chosen' },
} as const satisfies Record<string, { status: number; detail: string; source: 'documented' | 'chosen' }>

/** Key of one catalog row. */
export type ErrorKey = keyof typeof errors

/** `403` for an API key used outside its scopes; documented without a final period. */
export const scopeDetail = (scope: string): string => `API key does not have the required scope: ${scope}`

/** Per-item errors of a `207` ingestion result (documented without a final period). */
export const ingestItemErrors = {
  machine_not_found: 'Machine not found', // documented
  value_not_finite: 'Value must be finite', // documented
  timestamp_out_of_range: 'Timestamp out of allowed range', // chosen
  metric_name_too_long: 'metric_name exceeds 255 characters', // chosen
} as const

/** Texts of the sign-off signature check (documented, `200` bodies). */
export const signatureMessages = {
  valid: 'Signature verification passed. The sign-off record has not been tampered with.',
  tampered: 'Signature mismatch detected. The sign-off record may have been altered.',
} as const

/** One item of a FastAPI/pydantic `422` body: exactly `loc`, `msg`, `type`. */
export interface ValidationItem {
  loc: (string | number)[]
  msg: string
  type: string
}

/** A Haltless error as a thrown value; the app's error handler renders it. */
export class ApiError extends Error {
  readonly status: number
  readonly body: { detail: string | ValidationItem[] }

  constructor(
    key: ErrorKey | { status: number; detail: string | ValidationItem[] },
    readonly headers: Record<string, string> = {},
  ) {
    const row = typeof key === 'string' ? errors[key] : key
    super(typeof row.detail === 'string' ? row.detail : 'Validation error')
    this.status = row.status
    this.body = { detail: row.detail }
  }
}

/** `row` when it exists, else the catalog's 404 (or other) error `key`: `found(table.get(t, id), 'part_not_found')`. */
export function found<T>(row: T | undefined | null, key: ErrorKey): T {
  if (row === undefined || row === null) throw new ApiError(key)
  return row
}

/** `422` with pydantic-shaped items. */
export const validationError = (items: ValidationItem[]): ApiError => new ApiError({ status: 422, detail: items })

/** `403` for a key used outside `scope`. */
export const scopeError = (scope: string): ApiError => new ApiError({ status: 403, detail: scopeDetail(scope) })

/** Headers every 401 carries (`WWW-Authenticate: Bearer`, as FastAPI's HTTPBearer sends). */
export const unauthorizedHeaders = { 'WWW-Authenticate': 'Bearer' } as const

/** The headers an error response carries: its own, plus `WWW-Authenticate` on a 401. */
export const errorHeaders = (e: ApiError): Record<string, string> => (e.status === 401 ? { ...e.headers, ...unauthorizedHeaders } : e.headers)

/**
 * Writes a catalog error straight on a socket that no Response can reach (Node refused the
 * request, or took it off its HTTP parser: CONNECT, upgrades), and closes it once written.
 */
export function errorOnSocket(socket: Duplex, key: ErrorKey, headers: Record<string, string> = {}): void {
  const row = errors[key]
  const body = JSON.stringify({ detail: row.detail })
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')
  closeAfterWriting(socket)
  socket.end(`HTTP/1.1 ${row.status} ${STATUS_CODES[row.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`)
}

/**
 * Closes `socket` once what is written to it has gone out. A socket Node took off its parser is
 * read by no one: without this its peer's FIN goes unseen, the half-open socket lingers, and
 * `server.close()` waits for it forever. (What the peer still sends is read and dropped.)
 */
export function closeAfterWriting(socket: Duplex): void {
  socket.resume()
  socket.once('finish', () => socket.destroy())
}

/** A standalone Response for an error (where no request context is at hand). */
export function errorResponse(err: ApiError | ErrorKey, extraHeaders: Record<string, string> = {}): Response {
  const e = typeof err === 'string' ? new ApiError(err, extraHeaders) : err
  const res = new Response(JSON.stringify(e.body), { status: e.status, headers: { 'content-type': 'application/json', ...errorHeaders(e) } })
  if (typeof e.body.detail === 'string') details.set(res, e.body.detail)
  return res
}

/** The catalog `detail` of each answer errorResponse() made, for the journal (which never reads a body). */
const details = new WeakMap<Response, string>()
export const errorDetailOf = (res: Response): string | undefined => details.get(res)
