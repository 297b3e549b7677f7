import { ServerResponse, type IncomingMessage, type RequestListener, type Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Deps } from './context.js'
import { lapsed, tokenCaller } from './access.js'
import { closeAfterWriting, errorOnSocket, errors } from './errors.js'
import type { LiveEvent } from './events.js'
import { isoSeconds } from '../clock.js'

/** Where the dashboard WebSocket listens (reference section 20). */
export const dashboardSocketPath = '/api/v1/ws/dashboard'

/**
 * Timings and limits of the dashboard socket. The reference documents the close codes, not the
 * numbers: these are the emulator's choices (README, emulator choices).
 */
export const dashboardSocketSettings = {
  authTimeoutMs: 10_000,
  heartbeatMs: 30_000,
  maxPendingPerIp: 10,
}

/** Close codes and reasons: the codes are documented, the reason texts are the emulator's. */
export const closeCodes = {
  invalidToken: { code: 4001, reason: 'Invalid or expired token' },
  authTimeout: { code: 4002, reason: 'Authentication timeout' },
  tooManyPending: { code: 4003, reason: 'Too many unauthenticated connections' },
  /** A lapsed subscription (402 over HTTP): policy violation with the 402 text (emulator choice). */
  subscription: { code: 1008, reason: errors.payment_required.detail },
} as const

/**
 * Serves `/api/v1/ws/dashboard` on the HTTP server's upgrade event: the first text frame is the raw
 * access token; then the socket receives `heartbeat` every 30 s and every live event of the token's
 * tenant (`sensor_update`, `alert`, `machine_status`). Timers run on the injectable clock.
 */
/** Returns a function that drops every open socket (for the server's close). */
export function attachDashboardSocket(server: Server, deps: () => Deps, http: RequestListener): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })
  // a handshake ws refuses (no key, a bad version) in the API's format, not ws's text/html
  wss.on('wsClientError', (_err, socket) => errorOnSocket(socket, 'bad_request'))
  const pending = new Map<string, number>()
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0]
    // Anything but a WebSocket handshake for the dashboard is an ordinary request, its Upgrade
    // ignored as a server may: `curl --http2` asks every plain-HTTP request to become h2c.
    if (path !== dashboardSocketPath || req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket') return serveIgnoringUpgrade(req, socket, http)
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, req.socket.remoteAddress ?? 'unknown'))
  })

  function serve(ws: WebSocket, ip: string): void {
    const d = deps()
    const stop = new AbortController()
    const close = (c: { code: number; reason: string }) => ws.readyState === ws.OPEN && ws.close(c.code, c.reason)
    if ((pending.get(ip) ?? 0) >= dashboardSocketSettings.maxPendingPerIp) return void close(closeCodes.tooManyPending)
    pending.set(ip, (pending.get(ip) ?? 0) + 1)
    let waiting = true
    const settle = () => {
      if (!waiting) return
      waiting = false
      const left = (pending.get(ip) ?? 1) - 1
      if (left > 0) pending.set(ip, left)
      else pending.delete(ip)
    }
    let unsubscribe = () => {}
    ws.on('close', () => {
      settle()
      stop.abort()
      unsubscribe()
    })
    void d.clock.sleep(dashboardSocketSettings.authTimeoutMs, stop.signal).then(() => {
      if (waiting && !stop.signal.aborted) close(closeCodes.authTimeout)
    })
    ws.once('message', (data, isBinary) => {
      const token = isBinary ? '' : data.toString().trim()
      tokenCaller(d, token).then(
        (caller) => {
          settle()
          if (ws.readyState !== ws.OPEN) return
          if (lapsed(d, caller.tenant)) return void close(closeCodes.subscription)
          const tenantId = caller.tenant.id
          unsubscribe = d.events.on((e) => {
            if (e.tenant_id === tenantId && ws.readyState === ws.OPEN) ws.send(JSON.stringify(message(e)))
          })
          void heartbeat(d, ws, stop.signal)
        },
        () => {
          settle()
          close(closeCodes.invalidToken)
        },
      )
    })
  }

  return () => {
    for (const ws of wss.clients) ws.terminate()
    wss.close()
  }
}

/** The event as the socket sends it: `type` first, without the tenant. */
function message(e: LiveEvent): Record<string, unknown> {
  const { tenant_id: _tenant, ...rest } = e
  return rest
}

async function heartbeat(d: Deps, ws: WebSocket, signal: AbortSignal): Promise<void> {
  for (;;) {
    await d.clock.sleep(dashboardSocketSettings.heartbeatMs, signal)
    if (signal.aborted || ws.readyState !== ws.OPEN) return
    ws.send(JSON.stringify({ type: 'heartbeat', server_time: isoSeconds(d.clock.now()) }))
  }
}

/**
 * Answers an upgrade request as plain HTTP through `http`. Node's parser has let go of the
 * connection, so the answer closes it; a body is not read (it would follow the upgrade).
 */
function serveIgnoringUpgrade(req: IncomingMessage, socket: Duplex, http: RequestListener): void {
  if (!req.complete) req.push(null)
  const res = new ServerResponse(req)
  res.shouldKeepAlive = false
  res.assignSocket(socket as Socket)
  closeAfterWriting(socket)
  res.once('finish', () => {
    res.detachSocket(socket as Socket)
    socket.end()
  })
  void http(req, res)
}
