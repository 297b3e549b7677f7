// One server under load, run as a child process of bench/run.ts so that it gets a CPU of its own
// and the load generator's work never lands on its event loop.
//
//   node bin/run-ts.js bench/server.ts emulator
//   BENCH_BODY_B64=... BENCH_CONTENT_TYPE=... node bin/run-ts.js bench/server.ts baseline
//   BENCH_UPSTREAM=http://127.0.0.1:<port> [BENCH_PROXY_DRIFT=off] node bin/run-ts.js bench/server.ts hpm|proxy
//
// Talks to the parent over the IPC channel: sends `{ type: 'ready', url }` once listening, answers
// `{ type: 'stats' }` with its memory and CPU use, and exits on `{ type: 'stop' }` or when the
// parent goes away (exiting normally, so that `--cpu-prof` can write its profile).
import { Agent, createServer, type Server } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { createProxyMiddleware } from 'http-proxy-middleware'
import type { AddressInfo } from 'node:net'
import { createMockServer } from '../src/server.js'
import { defaultRateLimits, type RateLimitTable } from '../src/api/rate-limits.js'
import { route } from './lib/common.js'

/** baseline: bare node:http; hono: Hono on @hono/node-server answering the same bytes from one route (the
 *  framework's floor); emulator: mock mode; hpm: plain http-proxy-middleware (keep-alive) in front of
 *  BENCH_UPSTREAM; proxy: haltless-mock --mode proxy in front of BENCH_UPSTREAM. */
export type ServerKind = 'baseline' | 'hono' | 'emulator' | 'hpm' | 'proxy'
const kinds: ServerKind[] = ['baseline', 'hono', 'emulator', 'hpm', 'proxy']

/** Messages from the parent. */
export type ToServer = { type: 'stats' } | { type: 'stop' }
/** Messages to the parent. */
export type FromServer =
  | { type: 'ready'; url: string }
  | { type: 'stats'; rssBytes: number; maxRssBytes: number; heapUsedBytes: number; cpuUserUs: number; cpuSystemUs: number }

/** The built-in table with every bucket raised out of reach, so the benchmark never sees a 429. */
export const unlimitedRateLimits = (): RateLimitTable =>
  Object.fromEntries(Object.entries(defaultRateLimits).map(([tier, bucket]) => [tier, { ...bucket, limit: 1e9 }])) as RateLimitTable

const send = (msg: FromServer) => process.send!(msg)

async function start(kind: ServerKind): Promise<{ url: string; close(): Promise<void> }> {
  if (kind === 'emulator') {
    const server = createMockServer({ seed: 1, logLevel: 'silent', rateLimitTable: unlimitedRateLimits() })
    const url = await server.listen(0, '127.0.0.1')
    return { url, close: () => server.close() }
  }
  const upstream = process.env.BENCH_UPSTREAM ?? ''
  if (kind === 'proxy') {
    const server = createMockServer({ seed: 1, logLevel: 'silent', mode: 'proxy', upstream, drift: process.env.BENCH_PROXY_DRIFT !== 'off' })
    const url = await server.listen(0, '127.0.0.1')
    return { url, close: () => server.close() }
  }
  const body = Buffer.from(process.env.BENCH_BODY_B64 ?? '', 'base64')
  const contentType = process.env.BENCH_CONTENT_TYPE ?? 'application/json'
  if (kind === 'hono') {
    const text = body.toString('utf8')
    const app = new Hono().get(route, (c) => c.body(text, 200, { 'Content-Type': contentType }))
    return listenOn(createServer(getRequestListener(app.fetch)))
  }
  const forward = kind === 'hpm' ? createProxyMiddleware({ target: upstream, changeOrigin: true, agent: new Agent({ keepAlive: true, maxSockets: 256 }) }) : undefined
  return listenOn(createServer((req, res) => {
    if (forward) return void forward(req, res)
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length })
    res.end(body)
  }))
}

async function listenOn(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

const kind = process.argv[2]
if (!kinds.includes(kind as ServerKind)) throw new Error(`usage: bench/server.ts ${kinds.join('|')} (got ${kind})`)
if (!process.send) throw new Error('bench/server.ts runs as a child of bench/run.ts (needs an IPC channel)')

const server = await start(kind as ServerKind)
const stop = async () => {
  await server.close()
  process.exit(0)
}
process.on('message', (msg: ToServer) => {
  if (msg.type === 'stop') return void stop()
  const mem = process.memoryUsage()
  const cpu = process.cpuUsage()
  send({
    type: 'stats',
    rssBytes: mem.rss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: mem.heapUsed,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
  })
})
process.on('disconnect', () => void stop())
send({ type: 'ready', url: server.url })
