import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'

/**
 * What never leaves for the upstream: our own headers (`X-Mock-*`: sessions, fault requests, the
 * admin token) and a `Prefer` fault request (`code=...`, as a preference or a parameter). Works on
 * the request's header object before http-proxy copies it (it copies, not re-reads).
 */
export function scrubHeaders(headers: IncomingHttpHeaders): void {
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-mock-')) delete headers[name]
  }
  const prefer = headers.prefer
  if (typeof prefer === 'string') {
    const kept = prefer
      .split(',')
      .map((pref) => pref.split(';').map((p) => p.trim()).filter((p) => p && !/^code\s*=/i.test(p)).join('; '))
      .filter(Boolean)
    if (kept.length > 0) headers.prefer = kept.join(', ')
    else delete headers.prefer
  }
}

/**
 * `Set-Cookie` from the upstream as a browser on `http://localhost` keeps it: no `Domain` (the
 * cookie becomes the emulator's host's), and no `Secure` when the client reached us over plain HTTP.
 */
export function rewriteSetCookie(proxyRes: IncomingMessage, clientIsHttps: boolean): void {
  const cookies = proxyRes.headers['set-cookie']
  if (!cookies) return
  proxyRes.headers['set-cookie'] = cookies.map((cookie) =>
    cookie
      .split(';')
      .filter((attr, i) => i === 0 || !(/^\s*domain\s*=/i.test(attr) || (!clientIsHttps && /^\s*secure\s*$/i.test(attr))))
      .join(';'),
  )
}

/** Header names whose values a recording never keeps. */
const secretHeaders = new Set(['authorization', 'x-api-key', 'cookie', 'set-cookie', 'proxy-authorization'])
/** Body fields whose values a recording never keeps (passwords, tokens, key secrets, MFA secrets). */
const secretFields = new Set([
  'password', 'current_password', 'new_password', 'access_token', 'refresh_token', 'plaintext_key', 'key', 'secret', 'qr_code_uri', 'code',
  'client_secret', 'api_key', 'token', 'auth_config',
])

/** A query string or form body with secret parameters' values replaced. */
export function redactParams(text: string): string {
  const params = new URLSearchParams(text)
  for (const name of [...params.keys()]) if (secretFields.has(name.toLowerCase())) params.set(name, redacted)
  return params.toString()
}
export const redacted = '[redacted]'

/** Headers with secret values replaced (names kept, so a fixture shows what was sent). */
export function redactHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | number | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const lower = name.toLowerCase()
    if (lower.startsWith('x-mock-')) continue
    out[lower] = secretHeaders.has(lower) ? (Array.isArray(value) ? value.map(() => redacted) : redacted) : Array.isArray(value) ? value : String(value)
  }
  return out
}

/** A JSON value with every secret field's value replaced, at any depth. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretFields.has(k) && v !== null ? redacted : redactJson(v)]))
  }
  return value
}
