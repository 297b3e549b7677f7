import { timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../api/context.js'
import { ApiError } from '../api/errors.js'
import { header } from '../api/headers.js'
import { isDashboardShell } from './dashboard.js'

/** The header that carries `--admin-token`. */
export const adminTokenHeader = 'x-mock-admin-token'

/** Whether a socket's remote address is this machine (IPv4 127/8, IPv6 ::1, IPv4-mapped 127/8). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)
}

/**
 * Who may use the control plane: with no admin token configured, loopback clients only; with one,
 * any client that sends it in `X-Mock-Admin-Token` (compared in constant time). Anything else is
 * `401 {"detail": "Admin token required."}`.
 */
export function adminAllowed(remoteAddress: string | undefined, sent: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return isLoopback(remoteAddress)
  if (sent === undefined) return false
  const a = Buffer.from(sent)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The control plane's guard; `/__mock/health` stays open for health checks, the dashboard's static shell too (it holds no data). */
export function adminGuard(token: string | undefined): MiddlewareHandler<AppEnv> {
  return async function adminGuard(c, next) {
    if (c.req.path !== '/__mock/health' && !isDashboardShell(c.req.path) && !adminAllowed(c.env.incoming.socket.remoteAddress, header(c, adminTokenHeader), token)) {
      throw new ApiError('admin_token_required')
    }
    await next()
  }
}
