import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http'

/**
 * What never leaves for the upstream: our own headers (`X-Mock-*`: sessions, fault requests, the
 * admin token), `Prefer: code=...` fault requests, and hop-by-hop forwarding headers that would
 * tell the upstream about this machine.
 */
export function scrubRequest(proxyReq: ClientRequest): void {
  for (const name of proxyReq.getHeaderNames()) {
    if (name.startsWith('x-mock-')) proxyReq.removeHeader(name)
  }
  const prefer = proxyReq.getHeader('prefer')
  if (typeof prefer === 'string') {
    const kept = prefer.split(',').map((p) => p.trim()).filter((p) => p && !/^code\s*=/i.test(p))
    if (kept.length > 0) proxyReq.setHeader('prefer', kept.join(', '))
    else proxyReq.removeHeader('prefer')
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
const secretFields = new Set(['password', 'current_password', 'new_password', 'access_token', 'refresh_token', 'plaintext_key', 'key', 'secret', 'qr_code_uri', 'code'])
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
