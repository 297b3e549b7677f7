import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll } from 'vitest'

/** What the bare upstream saw of one request. */
export interface Seen {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

/** A bare node:http upstream on 127.0.0.1: records each request, answers with `handler`. */
export interface BareUpstream {
  url: string
  seen: Seen[]
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void
}

export function useBareUpstream(): BareUpstream {
  const u: BareUpstream = { url: '', seen: [], handler: (_req, res) => res.end('{}') }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      u.seen.push({ method: req.method!, url: req.url!, headers: req.headers, body })
      u.handler(req, res, body)
    })
  })
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    u.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))))
  return u
}
