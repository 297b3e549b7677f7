// A body over maxBodyBytes is refused before it is read whole: the 413 arrives while the client is
// still sending (its rest never sent here), so the server never holds more than the limit of it.
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'

const maxBodyBytes = 1024
const t = useServer({ maxBodyBytes })

const sockets = new Set<net.Socket>()
afterEach(() => {
  for (const s of sockets) s.destroy()
  sockets.clear()
})

/** A raw connection that has sent `head` (a request line and headers) and collects what comes back. */
function open(head: string[]) {
  const socket = net.connect(Number(new URL(t.url).port), '127.0.0.1')
  sockets.add(socket)
  socket.on('error', () => {})
  let received = Buffer.alloc(0)
  const state = { ended: false }
  const waiters = new Set<() => void>()
  socket.on('data', (d: Buffer) => ((received = Buffer.concat([received, d])), waiters.forEach((w) => w())))
  socket.on('end', () => ((state.ended = true), waiters.forEach((w) => w())))
  socket.write(`${[...head, 'Host: 127.0.0.1', `X-API-Key: ${demoApiKey}`, 'Content-Type: application/json'].join('\r\n')}\r\n\r\n`)
  const until = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => condition() && (waiters.delete(check), resolve())
      waiters.add(check)
      check()
    })
  return {
    socket,
    state,
    received: () => received,
    /** Resolves with the status line, headers and body once the whole answer (Content-Length) is in. */
    async answer() {
      await until(() => {
        const end = received.indexOf('\r\n\r\n')
        const length = /\r\ncontent-length: (\d+)/i.exec(received.subarray(0, end).toString('latin1'))
        return end >= 0 && length !== null && received.length >= end + 4 + Number(length[1])
      })
      const end = received.indexOf('\r\n\r\n')
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n')
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
      return { statusLine, headers, body: received.subarray(end + 4).toString('utf8') }
    },
    ended: () => until(() => state.ended),
  }
}

const tooLarge = '{"detail":"Request body too large."}'
const expectedHeaders = { 'content-type': 'application/json', 'content-length': String(tooLarge.length), connection: 'close', date: expect.any(String) }

describe(`bodies over maxBodyBytes (${maxBodyBytes} here)`, () => {
  it('a Content-Length over the limit: 413 at once, before a byte of the body is sent, and the connection closes', async () => {
    const client = open(['POST /api/v1/ingest HTTP/1.1', `Content-Length: ${1024 ** 3}`])
    // only the head went out: the server answered without waiting for (or reading) the gigabyte
    expect(await client.answer()).toEqual({ statusLine: 'HTTP/1.1 413 Payload Too Large', headers: expectedHeaders, body: tooLarge })
    await client.ended()
  })

  it('a chunked body: read up to the limit, 413 on the chunk that passes it, without waiting for the last chunk', async () => {
    const client = open(['POST /api/v1/ingest HTTP/1.1', 'Transfer-Encoding: chunked'])
    const chunk = (bytes: number) => `${bytes.toString(16)}\r\n${'x'.repeat(bytes)}\r\n`
    client.socket.write(chunk(maxBodyBytes / 2))
    client.socket.write(chunk(maxBodyBytes / 2))
    // exactly the limit: no answer yet, the server waits for more
    for (let i = 0; i < 3; i++) await (await fetch(`${t.url}/__mock/health`)).arrayBuffer()
    expect(client.received().length).toBe(0)
    client.socket.write(chunk(1))
    expect(await client.answer()).toEqual({ statusLine: 'HTTP/1.1 413 Payload Too Large', headers: expectedHeaders, body: tooLarge })
    await client.ended()
  })

  it.each([
    ['a partial_batch fault on the route', { fault: { kind: 'partial_batch', every: 2 }, match: { method: 'POST', path: '/api/v1/ingest' } }],
    ['a rule that matches on a body field', { fault: { kind: 'internal_error' }, match: { method: 'POST', path: '/api/v1/ingest', body: { source: 'edge' } } }],
  ])('%s: the body is still refused before it is read', async (_, oneOff) => {
    const session = `body-limit-${oneOff.fault.kind}`
    const injected = await fetch(`${t.url}/__mock/sessions/${session}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(oneOff) })
    expect(injected.status).toBe(201)
    const client = open(['POST /api/v1/ingest HTTP/1.1', `Content-Length: ${1024 ** 3}`, `X-Mock-Session: ${session}`])
    expect(await client.answer()).toEqual({ statusLine: 'HTTP/1.1 413 Payload Too Large', headers: expectedHeaders, body: tooLarge })
    await client.ended()
  })

  it('a body of exactly the limit is read and answered as usual', async () => {
    const body = JSON.stringify({ readings: [] }).padEnd(maxBodyBytes, ' ')
    const res = await t.api('/ingest', { method: 'POST', headers: { 'X-API-Key': demoApiKey, 'Content-Type': 'application/json' }, body })
    expect([res.status, await res.json()]).toEqual([422, { detail: [{ loc: ['body', 'readings'], msg: 'List should have at least 1 item after validation, not 0', type: 'too_short' }] }])
  })
})
