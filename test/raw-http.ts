import net from 'node:net'

/**
 * A raw HTTP/1.1 connection to `url`'s port on 127.0.0.1 that has sent `head` (a request line and
 * header lines) and collects every byte that comes back, to see exactly what the server writes and
 * how the connection ends. The socket joins `sockets`, for the caller to destroy after its test.
 */
export function rawConnection(url: string, head: string[], sockets: Set<net.Socket>) {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1')
  sockets.add(socket)
  const chunks: Buffer[] = []
  const waiters = new Set<() => void>()
  const state = { error: undefined as string | undefined, ended: false, closed: false }
  const wake = () => waiters.forEach((w) => w())
  socket.on('data', (d: Buffer) => (chunks.push(d), wake()))
  socket.on('error', (e: NodeJS.ErrnoException) => (state.error = e.code))
  socket.on('end', () => ((state.ended = true), wake()))
  socket.on('close', () => ((state.closed = true), wake()))
  socket.write(`${head.join('\r\n')}\r\n\r\n`)
  const received = () => Buffer.concat(chunks)
  /** Resolves once `condition` holds (checked on every byte, on end and on close). */
  const until = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => condition() && (waiters.delete(check), resolve())
      waiters.add(check)
      check()
    })
  /** Status line and headers (names lower-cased), and the body bytes so far; undefined before the head is in. */
  const parsed = () => {
    const all = received()
    const end = all.indexOf('\r\n\r\n')
    if (end < 0) return undefined
    const [statusLine, ...lines] = all.subarray(0, end).toString('latin1').split('\r\n')
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
    return { statusLine, headers, body: all.subarray(end + 4) }
  }
  return {
    socket,
    state,
    received,
    until,
    parsed,
    closed: () => until(() => state.closed),
    ended: () => until(() => state.ended),
    /** The whole answer (its Content-Length is in), body as text. */
    async answer() {
      await until(() => {
        const p = parsed()
        return p !== undefined && p.headers['content-length'] !== undefined && p.body.length >= Number(p.headers['content-length'])
      })
      const { statusLine, headers, body } = parsed()!
      return { statusLine, headers, body: body.toString('utf8') }
    },
  }
}
