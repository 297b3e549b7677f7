import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { createMockServer } from '../../src/server.js'

const t = useServer()

/** Sends raw bytes and returns the raw response text (for what fetch will not send). */
function raw(bytes: string | Buffer): Promise<string> {
  const { port } = new URL(t.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1')
    let out = ''
    socket.on('data', (d) => (out += d.toString('utf8')))
    socket.on('end', () => resolve(out))
    socket.on('error', reject)
    socket.setTimeout(5_000, () => socket.destroy(new Error('raw request timed out')))
    socket.end(bytes)
  })
}

const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))
const item = (loc: (string | number)[], msg: string, type: string) => ({ loc, msg, type })

describe('bad request bodies answer 422 in the API format', () => {
  const post = async (body: string, contentType = 'application/json') =>
    t.api('/machines', { method: 'POST', headers: { ...(await t.bearer('operator@acme.example')), 'content-type': contentType }, body })

  it.each([
    ['malformed JSON', '{"name":}', [item(['body', 8], 'JSON decode error', 'json_invalid')]],
    ['truncated JSON', '{"name": "x"', [item(['body', 12], 'JSON decode error', 'json_invalid')]],
    ['trailing data', '{"name": "x"} x', [item(['body', 14], 'JSON decode error', 'json_invalid')]],
    ['a raw control character in a string', '{"name": "a\u0001b"}', [item(['body', 9], 'JSON decode error', 'json_invalid')]],
    ['an empty body', '', [item(['body'], 'Field required', 'missing')]],
    ['a JSON null body', 'null', [item(['body'], 'Field required', 'missing')]],
    ['a JSON array body', '[1, 2]', [item(['body'], 'Input should be a valid dictionary or object to extract fields from', 'model_attributes_type')]],
    ['wrong types', '{"name": 1, "machine_identifier": true, "protocol": null}', [
      item(['body', 'name'], 'Input should be a valid string', 'string_type'),
      item(['body', 'machine_identifier'], 'Input should be a valid string', 'string_type'),
      item(['body', 'protocol'], "Input should be 'opc_ua', 'modbus_tcp', 'csv' or 'json'", 'enum'),
    ]],
    ['a huge string', JSON.stringify({ name: 'x'.repeat(1_000_000), machine_identifier: 'H', protocol: 'json' }), [item(['body', 'name'], 'String should have at most 255 characters', 'string_too_long')]],
    ['deep nesting (past 512 levels, as deep as the lenient parser goes)', '['.repeat(100_000) + ']'.repeat(100_000), [item(['body', 513], 'JSON decode error', 'json_invalid')]],
    ['deep nesting with NaN (past the lenient parser\'s depth)', '['.repeat(100_000) + 'NaN' + ']'.repeat(100_000), [item(['body', 513], 'JSON decode error', 'json_invalid')]],
  ])('%s', async (_, body, detail) => {
    const res = await post(body)
    expect(res.status).toBe(422)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual({ detail })
  })

  it('a non-JSON content type', async () => {
    const res = await post('name=x', 'application/x-www-form-urlencoded')
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item(['body'], 'Input should be a valid dictionary or object to extract fields from', 'model_attributes_type')] })
  })

  it('ignores unknown fields and keeps odd unicode byte for byte', async () => {
    const name = 'Préss 💥 Ω\u200d\u202e'
    const res = await post(JSON.stringify({ name, machine_identifier: 'UNI-1', protocol: 'json', extra: { deep: [1, 2, 3] } }))
    expect(res.status).toBe(201)
    const body = await res.json()
    expect(body.name).toBe(name)
    expect(body).not.toHaveProperty('extra')
  })

  it('a chunked body over the limit is refused with 413 before it is buffered whole', async () => {
    const chunks = new ReadableStream({
      start(controller) {
        const mb = new TextEncoder().encode('x'.repeat(1024 * 1024))
        for (let i = 0; i < 11; i++) controller.enqueue(mb)
        controller.close()
      },
    })
    const res = await fetch(`${t.url}/api/v1/ingest`, { method: 'POST', body: chunks, duplex: 'half', headers: { 'content-type': 'application/json' } } as RequestInit)
    expect(res.status).toBe(413)
    expect(res.headers.get('connection')).toBe('close')
    expect(await res.json()).toEqual({ detail: 'Request body too large.' })
  })
})

describe('routes no handler takes', () => {
  it('an unknown path answers 404 Not Found', async () => {
    const res = await t.api('/nothing-here')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Not Found' })
    expect((await fetch(`${t.url}/`)).status).toBe(404)
  })

  it('a known path with another method answers 405 with Allow', async () => {
    const res = await t.api('/auth/login')
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('POST')
    expect(await res.json()).toEqual({ detail: 'Method Not Allowed' })
    const put = await t.api('/machines', { method: 'PUT' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('GET, POST')
  })

  it('a percent-encoded path is the same route for 405 as for routing (404 before)', async () => {
    const res = await t.api('/%6Dachines', { method: 'PUT' })
    expect([res.status, res.headers.get('allow'), await res.json()]).toEqual([405, 'GET, POST', { detail: 'Method Not Allowed' }])
    const slash = await t.api('/%6Dachines/?page=2')
    expect([slash.status, slash.headers.get('location')]).toEqual([307, `${t.url}/api/v1/%6Dachines?page=2`])
  })

  it('a trailing slash answers 307 to the path without it, query kept', async () => {
    const res = await t.api('/machines/?page=2')
    expect(res.status).toBe(307)
    expect(res.headers.get('location')).toBe(`${t.url}/api/v1/machines?page=2`)
  })
})

describe('what Node\'s HTTP parser refuses answers in the API format', () => {
  it('oversized headers → 431', async () => {
    const res = await raw(`GET /api/v1/machines HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    expect(res.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large')
    expect(bodyOf(res)).toEqual({ detail: 'Request header fields too large.' })
  })

  it.each([
    ['a malformed request line', 'GARBAGE\r\n\r\n'],
    ['conflicting Content-Length', 'POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello'],
    // refused by node-server before routing (an empty 400 before)
    ['a backslash in the path', 'GET /api/v1\\machines HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an asterisk target', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a Host that is no host', 'GET /api/v1/machines HTTP/1.1\r\nHost: a b\r\n\r\n'],
    ['no Host (HTTP/1.1)', 'GET /api/v1/machines HTTP/1.1\r\n\r\n'],
    ['no Host (HTTP/1.0)', 'GET /api/v1/machines HTTP/1.0\r\n\r\n'],
    // Node dropped the connection without a word before
    ['a CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'],
  ])('%s → 400', async (_, request) => {
    const res = await raw(request)
    expect(res.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request')
    expect(res).toMatch(/\r\ncontent-type: application\/json\r\n/i)
    expect(bodyOf(res)).toEqual({ detail: 'Bad request.' })
  })

  it('a body cut short by the client is journaled as the 400 the client got, not as a 500', async () => {
    const token = (await t.login('operator@acme.example')).token
    const res = await raw(`POST /api/v1/machines HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`)
    expect(bodyOf(res)).toEqual({ detail: 'Bad request.' })
    const last = async () => ((await (await fetch(`${t.url}/__mock/journal`)).json()) as { method: string; status: number; error: string }[]).filter((e) => e.method === 'POST').at(-1)
    await expect.poll(last).toMatchObject({ method: 'POST', status: 400, error: 'Bad request.' })
  })

  it('an Expect other than 100-continue is ignored (Node answered an empty 417)', async () => {
    const res = await raw('GET /api/v1/machines HTTP/1.1\r\nHost: x\r\nExpect: weird\r\nConnection: close\r\n\r\n')
    expect(res.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized')
    expect(bodyOf(res)).toEqual({ detail: 'Not authenticated' })
  })

  it('duplicated X-API-Key headers are one invalid key, not a crash', async () => {
    const res = await raw('GET /api/v1/machines HTTP/1.1\r\nHost: x\r\nX-API-Key: hk_demoacme000000000000000000000000\r\nX-API-Key: hk_other\r\nConnection: close\r\n\r\n')
    expect(res.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized')
    expect(bodyOf(res)).toEqual({ detail: 'Invalid API key.' })
  })
})

describe('connections Node takes off its HTTP parser', () => {
  it('are closed once answered, unread bytes and all, so the server can close (a CONNECT, an upgrade)', async () => {
    const server = createMockServer({ seed: 1, logLevel: 'silent' })
    const port = Number(new URL(await server.listen(0, '127.0.0.1')).port)
    // the client hangs up as soon as it has the status line, as a client that got its answer does
    const answer = (bytes: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1')
        socket.once('data', (d) => (socket.destroy(), resolve(d.toString('utf8').split('\r\n')[0]!)))
        socket.write(bytes)
      })
    // (more bytes follow than Node reads with the head: nobody read the rest before)
    const tail = 'x'.repeat(200_000)
    expect(await answer(`CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n${tail}`)).toBe('HTTP/1.1 400 Bad Request')
    expect(await answer(`POST /api/v1/machines HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n${tail}`)).toBe('HTTP/1.1 401 Unauthorized')
    expect(await answer(`GET /api/v1/ws/dashboard HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n${tail}`)).toBe('HTTP/1.1 400 Bad Request')
    // before, their half-open sockets lingered and this never resolved
    await server.close()
  }, 5_000)
})

describe('an unexpected failure', () => {
  it('answers 500 Internal server error. in the API format, never a stack trace', async () => {
    const server = createMockServer({ seed: 1, logLevel: 'silent' })
    server.app.get('/api/v1/__explode', () => {
      throw new TypeError('boom')
    })
    const url = await server.listen(0, '127.0.0.1')
    try {
      const res = await fetch(`${url}/api/v1/__explode`)
      expect(res.status).toBe(500)
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(await res.text()).toBe('{"detail":"Internal server error."}')
    } finally {
      await server.close()
    }
  })
})

describe('after all that', () => {
  it('the server still answers and its state is intact', async () => {
    const res = await t.api('/machines', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect((await res.json()).total).toBe(5) // 4 demo machines + the unicode one
  })
})
