import { appendFileSync } from 'node:fs'
import type { IncomingHttpHeaders } from 'node:http'
import { redactHeaders, redactJson, redactParams } from './hygiene.js'

/** One forwarded exchange as a recording line keeps it (secrets redacted). */
export interface Exchange {
  time: string
  method: string
  path: string
  query: string
  requestHeaders: IncomingHttpHeaders
  requestBody: Buffer | null
  status: number
  responseHeaders: IncomingHttpHeaders
  responseBody: Buffer | null
}

/**
 * `--record FILE`: appends each proxied exchange as one JSON line: method, path, query, status,
 * headers and bodies, with credentials, cookies, passwords, tokens and key secrets redacted. A
 * JSON body is kept as JSON, another text body as a string, a binary one as base64.
 */
export class Recorder {
  constructor(readonly file: string) {}

  write(e: Exchange): void {
    const line = {
      time: e.time,
      method: e.method,
      path: e.path,
      query: e.query && `?${redactParams(e.query.slice(1))}`,
      request: { headers: redactHeaders(e.requestHeaders), body: bodyOf(e.requestBody, e.requestHeaders['content-type']) },
      response: { status: e.status, headers: redactHeaders(e.responseHeaders), body: bodyOf(e.responseBody, e.responseHeaders['content-type']) },
    }
    // Synchronous: lines never interleave, and a line is on disk once the client has its answer.
    appendFileSync(this.file, `${JSON.stringify(line)}\n`)
  }
}

function bodyOf(body: Buffer | null, contentType: string | undefined): unknown {
  if (body === null || body.length === 0) return null
  const text = body.toString('utf8')
  // JSON whatever the label (a client may send JSON as text/plain), then forms; secrets redacted
  try {
    return redactJson(JSON.parse(text))
  } catch {
    // not JSON
  }
  if (/^application\/x-www-form-urlencoded/i.test(contentType ?? '')) return redactParams(text)
  if (/^(text\/|application\/xml)/i.test(contentType ?? '')) return text
  return { base64: body.toString('base64') }
}
