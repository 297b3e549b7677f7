// The CLI serving: banner, health, demo data, settings, signals, a port in use; and --help, --version.
import { afterEach, describe, expect, test, vi } from 'vitest'
import { demoApiKey, demoPassword } from '../helpers.js'
import { children, exitOf, kill, login, run, start, timeout, useTmpDir, version } from './helpers.js'

const { file } = useTmpDir()

describe('help and version', { timeout }, () => {
  test.concurrent('--help lists every flag and exits 0', async ({ expect }) => {
    const r = await run(['--help'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/^Usage: haltless-mock \[options\] \[command\]\n/)
    for (const flag of ['-V, --version', '-p, --port <port>', '--host <host>', '--seed <n>', '--log-level <level>', '--config <file>', '--no-demo', '--rate-limits <on|off|file>', '-h, --help'])
      expect(r.stdout).toContain(`\n  ${flag} `)
    for (const env of ['HALTLESS_MOCK_PORT', 'HALTLESS_MOCK_HOST', 'HALTLESS_MOCK_SEED', 'HALTLESS_MOCK_LOG_LEVEL', 'HALTLESS_MOCK_CONFIG', 'HALTLESS_MOCK_DEMO', 'HALTLESS_MOCK_RATE_LIMITS'])
      expect(r.stdout).toContain(env)
    expect(r.stdout).toMatch(/\n  serve \[options\] +serve the emulated Haltless API \(default command\)\n/)
  })

  test.concurrent('serve --help lists the same flags', async ({ expect }) => {
    const r = await run(['serve', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Usage: haltless-mock serve \[options\]\n/)
    for (const flag of ['-p, --port <port>', '--host <host>', '--seed <n>', '--log-level <level>', '--config <file>', '--no-demo', '--rate-limits <on|off|file>'])
      expect(r.stdout).toContain(`\n  ${flag} `)
  })

  test.concurrent('--version prints the package version', async ({ expect }) => {
    const r = await run(['--version'])
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' })
  })
})

describe('serving', { timeout }, () => {
  // sequential tests: whatever a test left running goes before the next one starts
  afterEach(async () => {
    await Promise.all([...children].map(kill))
  })

  test('--port 0 --seed 7: banner, health, then SIGTERM exits 0', async () => {
    const s = await start(['--port', '0', '--seed', '7'])
    const lines = s.banner.split('\n')
    expect(lines[0]).toBe(`haltless-mock ${version} serving the Haltless API at ${s.url}/api/v1`)
    expect(lines[1]).toBe(`  control plane  ${s.url}/__mock/health   seed 7   rate limits on`)
    expect(lines[2]).toBe(`  dashboard      ${s.url}/__mock/   API docs ${s.url}/__mock/docs`)
    expect(lines[3]).toBe(`  OpenAPI        ${s.url}/__mock/openapi.json   WebSocket ${s.url.replace('http', 'ws')}/api/v1/ws/dashboard`)
    expect(lines).toContain(`  TOKEN=$(curl -s -X POST ${s.url}/api/v1/auth/login -H 'Content-Type: application/json' \\`)
    expect(lines).toContain(`    -d '{"email":"admin@acme.example","password":"${demoPassword}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`)
    expect(lines).toContain(`  curl -i ${s.url}/api/v1/machines -H 'X-API-Key: hk_demoacme000000000000000000000000'`)
    expect(demoApiKey).toBe('hk_demoacme000000000000000000000000')

    const health = await fetch(`${s.url}/__mock/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok', version, demo: true })
    // the demo data is there, and the demo API key works
    expect((await login(s.url)).status).toBe(200)
    expect((await fetch(`${s.url}/api/v1/machines`, { headers: { 'X-API-Key': demoApiKey } })).status).toBe(200)

    const exited = exitOf(s.child)
    s.child.kill('SIGTERM')
    expect(await exited).toEqual({ code: 0, signal: null })
  })

  test('SIGTERM during a request still delivers its response, then exits 0', async () => {
    const s = await start(['--port', '0'])
    const fault = await fetch(`${s.url}/__mock/sessions/default/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fault: { kind: 'latency', ms: 800 } }),
    })
    expect(fault.status).toBe(201)
    const pending = fetch(`${s.url}/api/v1/machines`, { headers: { 'X-API-Key': demoApiKey } })
    // in flight once the one-off fault has fired (the server is inside its delay)
    await vi.waitFor(async () => {
      const session = (await (await fetch(`${s.url}/__mock/sessions/default`)).json()) as { counters: Record<string, { fires: number }> }
      expect(session.counters['oneoff/1']?.fires).toBe(1)
    }, { timeout: 5000 })
    const exited = exitOf(s.child)
    s.child.kill('SIGTERM')
    const res = await pending
    expect(res.status).toBe(200)
    expect(((await res.json()) as { total: number }).total).toBe(4)
    expect(await exited).toEqual({ code: 0, signal: null })
  })

  test('--log-level trace logs every request without a token, key, cookie or password', async () => {
    const s = await start(['--port', '0', '--log-level', 'trace'])
    const loginRes = await login(s.url)
    const { access_token: token } = (await loginRes.json()) as { access_token: string }
    const cookie = loginRes.headers.getSetCookie()[0]!.split(';')[0]!
    await fetch(`${s.url}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}`, Cookie: cookie } })
    await fetch(`${s.url}/api/v1/machines`, { headers: { 'X-API-Key': demoApiKey } })
    await fetch(`${s.url}/api/v1/settings/change-password`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ current_password: demoPassword, new_password: 'N3w-Secret-Pass!' }),
    })
    await vi.waitFor(() => expect(s.stderr().match(/"msg":"request"/g)?.length).toBe(4))
    for (const secret of [token, cookie.split('=')[1]!, demoApiKey, demoPassword, 'N3w-Secret-Pass!']) expect(s.stderr()).not.toContain(secret)
    s.child.kill('SIGTERM')
    await exitOf(s.child)
  })

  test.each([
    ['pretty', /^\[\d\d:\d\d:\d\d\.\d{3}\] DEBUG: request\n    method: "GET"\n    path: "\/api\/v1\/machines"\n    status: 401\n/m],
    ['json', /^\{"level":20,"time":\d+,"method":"GET","path":"\/api\/v1\/machines","status":401,"duration_ms":[\d.]+,"msg":"request"\}$/m],
  ])('--log-format %s', async (format, line) => {
    const s = await start(['--port', '0', '--log-level', 'debug', '--log-format', format])
    await (await fetch(`${s.url}/api/v1/machines`)).arrayBuffer()
    await vi.waitFor(() => expect(s.stderr()).toMatch(line))
    s.child.kill('SIGTERM')
    await exitOf(s.child)
  })

  test('SIGINT exits 0 too, with a client connection still open', async () => {
    const s = await start(['--port', '0', '--log-level', 'silent'])
    // a kept-alive connection must not hold the process open
    expect((await fetch(`${s.url}/__mock/health`, { headers: { connection: 'keep-alive' } })).status).toBe(200)
    const exited = exitOf(s.child)
    s.child.kill('SIGINT')
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(s.stderr()).toBe('')
  })

  test('the explicit serve command works the same', async () => {
    const s = await start(['serve', '--port', '0', '--seed', '7'])
    expect(s.banner.split('\n')[0]).toBe(`haltless-mock ${version} serving the Haltless API at ${s.url}/api/v1`)
    expect((await fetch(`${s.url}/__mock/health`)).status).toBe(200)
  })

  test('without --seed the banner shows the seed drawn, so a run can be repeated', async () => {
    const s = await start(['--port', '0'])
    expect(s.banner.split('\n')[1]).toMatch(new RegExp(`^  control plane  ${s.url}/__mock/health   seed \\d+ \\(random\\)   rate limits on$`))
  })

  test('--no-demo starts with no demo data', async () => {
    const s = await start(['--port', '0', '--no-demo'])
    expect(s.banner).toContain('no demo data (--no-demo)')
    expect(s.banner).not.toContain(demoApiKey)
    const res = await login(s.url)
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Invalid email or password.' })
    expect(await (await fetch(`${s.url}/__mock/health`)).json()).toMatchObject({ status: 'ok', demo: false })
  })

  test('--mode proxy --upstream URL: the banner names the upstream, health the mode', async () => {
    const s = await start(['--port', '0', '--mode', 'proxy', '--upstream', 'http://127.0.0.1:9'])
    expect(s.banner.split('\n')[0]).toBe(`haltless-mock ${version} forwarding ${s.url}/api/v1 to http://127.0.0.1:9`)
    expect(s.banner).not.toContain(demoApiKey)
    expect(await (await fetch(`${s.url}/__mock/health`)).json()).toMatchObject({ status: 'ok', mode: 'proxy' })
    const res = await fetch(`${s.url}/api/v1/machines`)
    expect([res.status, await res.json()]).toEqual([502, { detail: 'Upstream unavailable.' }])
  })

  test('HALTLESS_MOCK_DEMO=false starts with no demo data', async () => {
    const s = await start([], { HALTLESS_MOCK_DEMO: 'false', HALTLESS_MOCK_PORT: '0' })
    const res = await login(s.url)
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Invalid email or password.' })
  })

  test('settings from a config file, with a rate-limit table next to it', async () => {
    const table = file('served/limits.yaml', 'unauthenticated: { limit: 1 }\n')
    const config = file('served/mock.yaml', 'port: 0\nseed: 11\nlogLevel: silent\nrateLimits: limits.yaml\n')
    const s = await start(['--config', config])
    expect(s.banner.split('\n')[1]).toBe(`  control plane  ${s.url}/__mock/health   seed 11   rate limits ${table}`)
    expect((await login(s.url)).status).toBe(200)
    expect((await login(s.url)).status).toBe(429)
  })

  test('--rate-limits off', async () => {
    const s = await start(['--port', '0', '--rate-limits', 'off'])
    expect(s.banner.split('\n')[1]).toMatch(/ rate limits off$/)
  })

  test('a port in use exits 1 naming the port', async () => {
    const first = await start(['--port', '0', '--log-level', 'silent'])
    const port = new URL(first.url).port
    const r = await run(['--port', port])
    expect(r.stderr).toBe(`haltless-mock: --port ${port} is already in use (choose another with --port or HALTLESS_MOCK_PORT)\n`)
    expect(r.code).toBe(1)
  })
})
