import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'

/** The backend's response as status, headers and body bytes, for kinds that rewrite the wire. */
export async function materialize(res: Response): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const headers: Record<string, string> = {}
  res.headers.forEach((v, k) => {
    if (k !== 'set-cookie') headers[k] = v
  })
  const cookies = res.headers.getSetCookie()
  const body = Buffer.from(await res.arrayBuffer())
  return { status: res.status, headers: cookies.length ? { ...headers, 'set-cookie': cookies as unknown as string } : headers, body }
}

/** Writes status and headers (with the given Content-Length) straight to Node's response. */
export function writeHead(out: ServerResponse | Http2ServerResponse, status: number, headers: Record<string, string>, contentLength: number): void {
  const h: Record<string, string> = { ...headers, 'content-length': String(contentLength) }
  delete h['transfer-encoding']
  ;(out as ServerResponse).writeHead(status, h)
}
