import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { demoApiKey, demoPassword } from './helpers.js'

// The real command line, as a user runs it: `node bin/haltless-mock.js ...` from the package root.
const root = new URL('..', import.meta.url).pathname
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version
/** How long any one child may take to exit or to print its banner (tsx compiles on start; CI machines are slow). */
const waitMs = 15_000
/** Per test: a test waits for up to two children. */
const timeout = 2 * waitMs + 5_000

/** The parent's environment without any HALTLESS_MOCK_* setting, plus `env`. */
function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HALTLESS_MOCK_')))
  return { ...clean, ...env }
}

const children = new Set<ChildProcess>()

function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['bin/haltless-mock.js', ...args], { cwd: root, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Kills `child` if it still runs and waits for it to be gone. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await gone
}

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/**
 * Resolves when `child` has exited and its output is read (`close`); kills it and rejects if that
 * takes longer than `waitMs`.
 */
function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill(child)
      reject(new Error(`the CLI did not exit within ${waitMs} ms`))
    }, waitMs)
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      resolve({ code, signal })
    })
  })
}

/** Runs the CLI to completion. */
async function run(args: string[], env: Record<string, string> = {}): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawnCli(args, env)
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s))
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  const exit = await exitOf(child)
  return { ...exit, stdout, stderr }
}

/** A running `haltless-mock` whose banner has been printed. */
interface Running {
  child: ChildProcess
  /** `http://127.0.0.1:<port>` */
  url: string
  banner: string
  stderr(): string
}

/** Starts the CLI and reads its stdout until the whole banner is there (never sleeps). */
function start(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawnCli(args, env)
  let stdout = ''
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill(child)
      reject(new Error(`no banner within ${waitMs} ms; stdout: ${stdout}; stderr: ${stderr}`))
    }, waitMs)
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      reject(new Error(`the CLI exited (${code ?? signal}) before its banner; stdout: ${stdout}; stderr: ${stderr}`))
    }
    child.once('exit', onExit)
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      stdout += s
      // the banner's last line: the demo API key, or the note that there is no demo data
      if (!/X-API-Key: |no demo data/.test(stdout) || !stdout.endsWith('\n')) return
      clearTimeout(timer)
      child.off('exit', onExit)
      const url = /^haltless-mock \S+ serving the Haltless API at (http:\/\/127\.0\.0\.1:\d+)\/api\/v1$/m.exec(stdout)?.[1]
      if (!url) return reject(new Error(`unexpected banner: ${stdout}`))
      resolve({ child, url, banner: stdout, stderr: () => stderr })
    })
  })
}

function login(url: string, email = 'admin@acme.example', password = demoPassword): Promise<Response> {
  return fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
}

const tmp = mkdtempSync(join(tmpdir(), 'haltless-mock-cli-'))
/** Writes `text` to `<tmp>/<name>` and returns the absolute path. */
function file(name: string, text: string): string {
  const path = join(tmp, name)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
  return path
}

// a safety net: every test waits for its own children, and the serving tests kill theirs after each
afterAll(async () => {
  await Promise.all([...children].map(kill))
  rmSync(tmp, { recursive: true, force: true })
})

describe('bad input exits 2 with one line naming the source and what was expected', { timeout }, () => {
  const cases: [string, string[], Record<string, string>, string][] = [
    ['a port out of range', ['--port', '70000'], {}, '--port must be an integer from 0 to 65535 (got "70000")'],
    ['a port that is not a number', ['--port', 'abc'], {}, '--port must be an integer from 0 to 65535 (got "abc")'],
    ['a port that is not an integer', ['--port', '1.5'], {}, '--port must be an integer from 0 to 65535 (got "1.5")'],
    ['an unknown log level', ['--log-level', 'loud'], {}, '--log-level must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (got "loud")'],
    ['a negative seed', ['--seed', '-1'], {}, '--seed must be an integer from 0 to 4294967295 (got "-1")'],
    ['an empty host', ['--host', ''], {}, '--host must not be empty (got "")'],
    [
      'a rate-limit file that does not exist',
      ['--rate-limits', 'missing-file.yaml'],
      {},
      '--rate-limits must be "on", "off" or a YAML/JSON rate-limit table file (cannot read missing-file.yaml: no such file)',
    ],
    ['a config file that does not exist', ['--config', 'missing-config.yaml'], {}, '--config must be a YAML or JSON file of settings (cannot read missing-config.yaml: no such file)'],
    ['an unknown flag', ['--bogus'], {}, "unknown option '--bogus' (see haltless-mock --help)"],
    ['an unknown flag after serve', ['serve', '--bogus'], {}, "unknown option '--bogus' (see haltless-mock --help)"],
    ['a flag without its value', ['--port'], {}, "option '-p, --port <port>' argument missing (see haltless-mock --help)"],
    ['an unknown command', ['srve'], {}, "unexpected argument 'srve' (the commands are serve and help; see haltless-mock --help)"],
    ['HALTLESS_MOCK_PORT that is not a number', [], { HALTLESS_MOCK_PORT: 'abc' }, 'HALTLESS_MOCK_PORT must be an integer from 0 to 65535 (got "abc")'],
    ['HALTLESS_MOCK_DEMO that is not a boolean', [], { HALTLESS_MOCK_DEMO: 'maybe' }, 'HALTLESS_MOCK_DEMO must be true or false (got "maybe")'],
    ['HALTLESS_MOCK_LOG_LEVEL unknown', [], { HALTLESS_MOCK_LOG_LEVEL: 'loud' }, 'HALTLESS_MOCK_LOG_LEVEL must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (got "loud")'],
    [
      'HALTLESS_MOCK_CONFIG naming no file',
      [],
      { HALTLESS_MOCK_CONFIG: 'missing-config.yaml' },
      'HALTLESS_MOCK_CONFIG must be a YAML or JSON file of settings (cannot read missing-config.yaml: no such file)',
    ],
    ['a flag over its environment variable', ['--port', '70000'], { HALTLESS_MOCK_PORT: '4010' }, '--port must be an integer from 0 to 65535 (got "70000")'],
  ]
  test.concurrent.for(cases)('%s', async ([, args, env, message], { expect }) => {
    const r = await run(args, env)
    expect(r.stderr).toBe(`haltless-mock: ${message}\n`)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
  })

  test.concurrent('a misspelt flag: the suggestion follows on a second line', async ({ expect }) => {
    const r = await run(['--prot', '4010'])
    expect(r.stderr.split('\n')).toEqual(["haltless-mock: unknown option '--prot' (see haltless-mock --help)", '(Did you mean --port?)', ''])
    expect(r.code).toBe(2)
  })

  test.concurrent('a config file with a bad value: the file and the field', async ({ expect }) => {
    const config = file('bad-port.yaml', 'port: 70000\n')
    const r = await run(['--config', config])
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${config}: port must be an integer from 0 to 65535 (got 70000)\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a config file named by HALTLESS_MOCK_CONFIG with a bad value: the file and the field', async ({ expect }) => {
    const config = file('bad-demo.yaml', 'demo: perhaps\n')
    const r = await run([], { HALTLESS_MOCK_CONFIG: config })
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${config}: demo must be true or false (got "perhaps")\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a config file with an unknown setting is refused, naming the file', async ({ expect }) => {
    const config = file('unknown-setting.yaml', 'port: 0\nlog_level: debug\n')
    const r = await run(['--config', config])
    expect(r.stderr).toBe(
      `haltless-mock: Failed to load ${config}: unknown setting "log_level" (expected one of port, host, seed, logLevel, demo, rateLimits, jwtSecret, accessTokenTtlS, mfaPendingTtlS, refreshTokenTtlS, mfaTestCode, apiKeyPrefix, pastDueGraceDays, maxBodyBytes, alwaysSendRateLimitReset)\n`,
    )
    expect(r.code).toBe(2)
  })

  test.concurrent('a config file that is not YAML', async ({ expect }) => {
    const config = file('broken.yaml', 'port: [1\n')
    const r = await run(['--config', config])
    expect(r.stderr).toMatch(new RegExp(`^haltless-mock: Failed to parse ${config}: .+ at line 2, column 1\\n$`))
    expect(r.code).toBe(2)
  })

  test.concurrent('a config file that is not a mapping', async ({ expect }) => {
    const config = file('list.yaml', '- port\n')
    const r = await run(['--config', config])
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${config}: expected a mapping of settings\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a flag wins over the config file', async ({ expect }) => {
    const config = file('port-ok.yaml', 'port: 0\nseed: 3\n')
    const r = await run(['--config', config, '--seed', 'x'])
    expect(r.stderr).toBe('haltless-mock: --seed must be an integer from 0 to 4294967295 (got "x")\n')
    expect(r.code).toBe(2)
  })

  test.concurrent('a rate-limit table with a bad value: the file and the field path', async ({ expect }) => {
    const table = file('limits-bad.yaml', 'pro: { limit: -1 }\n')
    const r = await run(['--rate-limits', table])
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${table}: pro.limit must be >= 1 (got -1)\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a rate-limit table with an unknown tier', async ({ expect }) => {
    const table = file('limits-unknown.yaml', 'premium: { limit: 5 }\n')
    const r = await run(['--rate-limits', table])
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${table}: (top level) has unknown field(s) premium\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a rate-limit table named in a config file is found next to that file', async ({ expect }) => {
    file('nested/limits.yaml', 'free: { limit: 5, window_s: 0 }\n')
    const config = file('nested/conf/mock.yaml', 'rateLimits: ../limits.yaml\n')
    const r = await run(['--config', config])
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${join(tmp, 'nested/limits.yaml')}: free.window_s must be >= 1 (got 0)\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a rate-limit table named in a config file that does not exist: the config file and field', async ({ expect }) => {
    const config = file('missing-table.yaml', 'rateLimits: /nonexistent/limits.yaml\n')
    const r = await run(['--config', config])
    expect(r.stderr).toBe(
      `haltless-mock: Failed to load ${config}: rateLimits must be "on", "off" or a YAML/JSON rate-limit table file (cannot read /nonexistent/limits.yaml: no such file)\n`,
    )
    expect(r.code).toBe(2)
  })
})

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
