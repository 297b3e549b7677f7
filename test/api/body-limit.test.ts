// A body over maxBodyBytes is refused before it is read whole: the 413 arrives while the client is
// still sending (its rest never sent here), so the server never holds more than the limit of it.
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { rawConnection } from '../raw-http.js'

const maxBodyBytes = 1024
const t = useServer({ maxBodyBytes })

const sockets = new Set<net.Socket>()
afterEach(() => {
  for (const s of sockets) s.destroy()
  sockets.clear()
})

/** A raw connection that has sent `head` with the demo key, and collects what comes back. */
const open = (head: string[]) => rawConnection(t.url, [...head, 'Host: 127.0.0.1', `X-API-Key: ${demoApiKey}`, 'Content-Type: application/json'], sockets)

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
