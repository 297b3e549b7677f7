/**
 * The fuzzer's HTTP client: a generated request written byte for byte on a raw `node:net` socket
 * (so duplicate Content-Length, bare LF, invalid header names and truncated bodies reach the server
 * as generated), the answers read back with a small HTTP/1.1 response parser, and a request
 * printed for a failure report: described, as a curl line, as a `--replay` argument.
 */
import { connect } from 'node:net'

/** A piece of a body or header value: text (UTF-8 on the wire), a repeated text (a megabyte stays small until sent), or raw bytes. */
export type Part = string | { repeat: string; times: number } | { hex: string }

/** How the body is framed: an exact Content-Length, chunked, none, or a header that lies. */
export type Framing =
  | { kind: 'length' }
  | { kind: 'chunked'; terminated: boolean }
  | { kind: 'none' }
  | { kind: 'declared'; length: number }
  | { kind: 'dupLength'; delta: number }
  | { kind: 'lengthAndChunked' }

/**
 * One request as generated. Strings may hold placeholders filled at send time: `{{jwt:admin}}`,
 * `{{refresh:admin}}`, `{{key:acme}}` (credentials of the run) and `{{created}}` (the id of the last
 * resource the case created).
 */
export interface FuzzRequest {
  method: string
  /** The request-target as sent (origin-form, or absolute-form, or anything). */
  target: string
  version: string
  /** Header lines in order, duplicates allowed; the Host line is one of them (or missing). */
  headers: [string, Part[]][]
  body: Part[] | null
  framing: Framing
  /** Line ending of the head: `\r\n`, or a bare `\n`/`\r` to test the parser. */
  eol: string
}

/** One parsed answer. */
export interface WireResponse {
  status: number
  headers: [string, string][]
  body: Buffer
  /** Whether the body arrived as long as its framing said. */
  complete: boolean
}

/** What a send observed: the answers in order, and how the connection ended. */
export interface Exchange {
  responses: WireResponse[]
  /** `answered` (the client hung up), `closed` (the server did), `upgraded` (101), `timeout`, or a socket error code. */
  ending: string
  ms: number
}

/** Fills the placeholders of one string. */
export type Fill = (text: string) => string

const textOf = (p: Part, fill: Fill): Buffer =>
  typeof p === 'string' ? Buffer.from(fill(p), 'utf8') : 'hex' in p ? Buffer.from(p.hex, 'hex') : Buffer.from(p.repeat.repeat(p.times), 'utf8')
const bytesOf = (parts: Part[], fill: Fill): Buffer => Buffer.concat(parts.map((p) => textOf(p, fill)))

/**
 * The request's bytes; whether the client should half-close after them (a body shorter than
 * declared); whether bytes may follow the request as Node frames it (answered on their own).
 */
export function serialize(req: FuzzRequest, fill: Fill): { bytes: Buffer; halfClose: boolean; leftover: boolean } {
  const body = req.body === null ? null : bytesOf(req.body, fill)
  const n = body?.length ?? 0
  const lines: Buffer[] = [Buffer.from(`${req.method} ${fill(req.target)} ${req.version}`, 'utf8')]
  for (const [name, value] of req.headers) lines.push(Buffer.concat([Buffer.from(`${name}: `, 'utf8'), bytesOf(value, fill)]))
  const f = req.framing
  let payload = body ?? Buffer.alloc(0)
  let halfClose = false
  if (f.kind === 'length' && body !== null) lines.push(Buffer.from(`Content-Length: ${n}`))
  if (f.kind === 'declared') (lines.push(Buffer.from(`Content-Length: ${f.length}`)), (halfClose = f.length > n))
  if (f.kind === 'dupLength') lines.push(Buffer.from(`Content-Length: ${n}`), Buffer.from(`Content-Length: ${n + f.delta}`))
  if (f.kind === 'chunked' || f.kind === 'lengthAndChunked') {
    if (f.kind === 'lengthAndChunked') lines.push(Buffer.from(`Content-Length: ${n}`))
    lines.push(Buffer.from('Transfer-Encoding: chunked'))
    const end = f.kind === 'chunked' && !f.terminated ? '' : '0\r\n\r\n'
    payload = Buffer.concat([n > 0 ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), payload, Buffer.from('\r\n')]) : Buffer.alloc(0), Buffer.from(end)])
    halfClose = end === ''
  }
  const eol = Buffer.from(req.eol)
  const head = Buffer.concat([...lines.flatMap((l) => [l, eol]), eol])
  const exact = f.kind === 'length' || (f.kind === 'none' && n === 0) || f.kind === 'chunked'
  return { bytes: Buffer.concat([head, payload]), halfClose, leftover: !exact || req.eol !== '\r\n' || req.headers.some(([, v]) => v.some((p) => typeof p === 'string' && /[\r\n]/.test(p))) }
}

/**
 * Sends `bytes` on a fresh connection and reads answers until the first one is complete. When
 * bytes beyond the first request may follow (`leftover`), it then half-closes, so they are answered
 * (or refused) and the server closes; else it is done. A truncated request half-closes at once:
 * the server cannot know the rest is not coming otherwise.
 */
export function send(port: number, bytes: Buffer, opts: { halfClose: boolean; leftover: boolean; head: boolean; timeoutMs: number }): Promise<Exchange> {
  const started = performance.now()
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let ended = false
    let settled = false
    const finish = (ending: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ responses: parseResponses(Buffer.concat(chunks), opts.head).responses, ending, ms: performance.now() - started })
    }
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs)
    socket.on('data', (d) => {
      chunks.push(d)
      if (ended) return
      const { responses } = parseResponses(Buffer.concat(chunks), opts.head)
      const first = responses[0]
      // a 101 turns the connection into something else: the answer is complete
      if (first?.status === 101) return finish('upgraded')
      if (!first?.complete) return
      if (!opts.leftover) return finish('answered')
      ended = true
      socket.end()
    })
    socket.on('end', () => finish('closed'))
    socket.on('close', () => finish('closed'))
    socket.on('error', (e: NodeJS.ErrnoException) => finish(e.code ?? e.message))
    socket.write(bytes)
    if (opts.halfClose) (ended = true), socket.end()
  })
}

/** Every response in `buf`, in order (1xx interim answers skipped); the last may be incomplete. */
export function parseResponses(buf: Buffer, head: boolean): { responses: WireResponse[] } {
  const responses: WireResponse[] = []
  let at = 0
  while (at < buf.length) {
    const end = buf.indexOf('\r\n\r\n', at)
    if (end === -1) {
      responses.push({ status: statusOf(buf.subarray(at).toString('latin1')), headers: [], body: Buffer.alloc(0), complete: false })
      break
    }
    const lines = buf.subarray(at, end).toString('latin1').split('\r\n')
    const status = statusOf(lines[0]!)
    const headers = lines.slice(1).map((l): [string, string] => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()])
    at = end + 4
    if (status >= 100 && status < 200 && status !== 101) continue
    const get = (n: string) => headers.find(([k]) => k === n)?.[1]
    // (an answer to HEAD has no body, unless the server could not parse the request and so
    // did not know it was HEAD: a body then follows instead of the next answer)
    const headless = head && responses.length === 0 && (buf.length === at || buf.subarray(at, at + 5).toString('latin1') === 'HTTP/')
    const noBody = status === 101 || status === 204 || status === 304 || headless
    if (noBody) {
      responses.push({ status, headers, body: Buffer.alloc(0), complete: true })
      if (status === 101) break
      continue
    }
    if (/chunked/i.test(get('transfer-encoding') ?? '')) {
      const { body, next } = dechunk(buf, at)
      responses.push({ status, headers, body, complete: next !== -1 })
      if (next === -1) break
      at = next
    } else if (get('content-length') !== undefined) {
      const length = Number(get('content-length'))
      const body = buf.subarray(at, at + length)
      responses.push({ status, headers, body, complete: body.length === length })
      at += length
    } else {
      // no framing: the body runs to the end of the connection
      responses.push({ status, headers, body: buf.subarray(at), complete: true })
      break
    }
  }
  return { responses }
}

const statusOf = (line: string): number => Number(/^HTTP\/1\.[01] (\d{3})/.exec(line)?.[1] ?? 0)

function dechunk(buf: Buffer, from: number): { body: Buffer; next: number } {
  const parts: Buffer[] = []
  let at = from
  for (;;) {
    const eol = buf.indexOf('\r\n', at)
    if (eol === -1) return { body: Buffer.concat(parts), next: -1 }
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16)
    if (Number.isNaN(size)) return { body: Buffer.concat(parts), next: -1 }
    if (size === 0) {
      const trailerEnd = buf.indexOf('\r\n\r\n', eol)
      const end = buf.subarray(eol, eol + 4).toString('latin1') === '\r\n\r\n' ? eol + 4 : trailerEnd === -1 ? -1 : trailerEnd + 4
      return { body: Buffer.concat(parts), next: end }
    }
    if (eol + 2 + size + 2 > buf.length) return { body: Buffer.concat([...parts, buf.subarray(eol + 2)]), next: -1 }
    parts.push(buf.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}

/** A header of a response, lower-case name. */
export const headerOf = (res: WireResponse, name: string): string | undefined => res.headers.find(([k]) => k === name)?.[1]

/** Placeholders as shell variables in a replay line: `{{jwt:admin}}` → `$JWT_ADMIN`. */
const asShellVar = (text: string): string => text.replace(/\{\{(\w+):?(\w*)\}\}/g, (_, kind: string, who: string) => `\${${[kind, who].filter(Boolean).join('_').toUpperCase()}}`)

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * A `curl` line that sends the request again, when curl can say it (a usual request line, header
 * names and values, an exact or no Content-Length, a host); else null (`npm run fuzz -- --replay`
 * sends any request exactly). Credentials become `$JWT_ADMIN`-style shell variables.
 */
export function curlLine(req: FuzzRequest, base: string): string | null {
  const joined = (parts: Part[]) => (parts.every((p) => typeof p === 'string') ? (parts as string[]).join('') : null)
  const values = req.headers.map(([, v]) => joined(v))
  const curlable =
    req.version === 'HTTP/1.1' && req.eol === '\r\n' && (req.framing.kind === 'length' || (req.framing.kind === 'none' && req.body === null)) &&
    /^[A-Z]+$/.test(req.method) && /^\/[\x21-\x7e]*$/.test(req.target) &&
    req.headers.every(([n], i) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(n) && values[i] !== null && !/[\u0000-\u001f\u007f]/.test(values[i]!)) &&
    req.headers.filter(([n]) => n.toLowerCase() === 'host').length === 1
  if (!curlable) return null
  const args = [`curl -si --path-as-is -X ${req.method} ${sq(`${base}${req.target}`)}`]
  req.headers.forEach(([n], i) => {
    if (n.toLowerCase() !== 'host') args.push(`-H "${asShellVar(`${n}: ${values[i]}`.replace(/["`\\$]/g, '\\$&'))}"`)
  })
  if (req.body !== null) {
    const text = joined(req.body)
    const js = req.body.map((p) => (typeof p === 'string' ? JSON.stringify(p) : 'hex' in p ? `Buffer.from(${JSON.stringify(p.hex)},"hex")` : `${JSON.stringify(p.repeat)}.repeat(${p.times})`))
    args.push(text !== null && text.length <= 2000 && !text.includes('{{') ? `--data-binary ${sq(text)}` : `--data-binary @<(node -e ${sq(`for(const p of [${js.join(',')}])process.stdout.write(p)`)})`)
  }
  return args.join(' ')
}

/** The request as a JSON argument of `npm run fuzz -- --replay`: exact, repeats kept short. */
export const replayArgument = (req: FuzzRequest): string => sq(JSON.stringify(req))

/** The head of the request, escaped, for a failure report (a body as its length and start). */
export function describeRequest(req: FuzzRequest): string {
  const show = (parts: Part[]) => parts.map((p) => (typeof p === 'string' ? p : 'hex' in p ? `<hex ${p.hex.slice(0, 40)}>` : `<${JSON.stringify(p.repeat.slice(0, 20))} x ${p.times}>`)).join('')
  const head = [`${req.method} ${req.target} ${req.version}`, ...req.headers.map(([n, v]) => `${n}: ${show(v)}`)].join(JSON.stringify(req.eol).slice(1, -1))
  const body = req.body === null ? '(no body)' : show(req.body)
  return `${JSON.stringify(head.length > 600 ? `${head.slice(0, 600)}...` : head)} framing=${JSON.stringify(req.framing)} body=${JSON.stringify(body.length > 400 ? `${body.slice(0, 400)}...` : body)}`
}
