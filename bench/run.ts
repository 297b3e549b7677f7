// Throughput and latency of the emulator's `GET /api/v1/machines` against a bare node:http server
// serving the same bytes, plus the CLI's start-up time. See bench/README.md.
//
//   npm run bench -- [--duration 5] [--warmup 2] [--connections 10] [--rounds 1]
//                    [--startup-runs 5] [--no-startup] [--min-ratio 0.6] [--profile]
//
// Every server runs in a child process of its own (bench/server.ts); autocannon runs here, in the
// parent. On a 2-core machine that gives the server one core and the load generator the other,
// instead of both sharing one event loop. One server is up at a time, each target gets a fresh one.
import autocannon, { type Result } from 'autocannon'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { FromServer, ServerKind, ToServer } from './server.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const route = '/api/v1/machines'
const login = { email: 'admin@acme.example', password: 'Haltless-Demo-1' }
const apiKey = 'hk_demoacme000000000000000000000000'

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    'startup-runs': { type: 'string', default: '5' },
    'min-ratio': { type: 'string' },
    'no-startup': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (flags.help) {
  console.log(`usage: npm run bench -- [options]
  --duration <s>        measured seconds per target (default 5)
  --warmup <s>          unmeasured seconds of the same load first (default 2; 0 = none)
  --connections <n>     concurrent keep-alive connections (default 10)
  --rounds <n>          measure the three targets n times, interleaved; report each one's median round (default 1)
  --startup-runs <n>    CLI start-up samples (default 5)
  --no-startup          skip the start-up measurement
  --min-ratio <r>       exit 1 unless emulator (JWT) req/s >= r x baseline req/s
  --profile             run the server children with --cpu-prof (written to bench/profiles/)`)
  process.exit(0)
}
const num = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v)
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min} (got ${v})`)
  return n
}
const duration = num('duration', flags.duration, 1)
const warmup = num('warmup', flags.warmup, 0)
const connections = Math.floor(num('connections', flags.connections, 1))
const rounds = Math.floor(num('rounds', flags.rounds, 1))
const startupRuns = Math.floor(num('startup-runs', flags['startup-runs'], 1))
const minRatio = flags['min-ratio'] === undefined ? undefined : num('min-ratio', flags['min-ratio'], 0)

/** A failed check: the run stops and exits non-zero instead of printing a number. */
class BenchFailure extends Error {}

// ---------------------------------------------------------------------------------------------
// server children

interface Child {
  kind: ServerKind
  url: string
  proc: ChildProcess
  stats(): Promise<Extract<FromServer, { type: 'stats' }>>
  stop(): Promise<void>
}

const children = new Set<Child>()

async function startServer(kind: ServerKind, env: Record<string, string> = {}): Promise<Child> {
  const execArgv: string[] = []
  if (flags.profile) {
    const dir = join(root, 'bench', 'profiles')
    mkdirSync(dir, { recursive: true })
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`)
  }
  const proc = spawn(process.execPath, [...execArgv, 'bin/run-ts.js', 'bench/server.ts', kind], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = once(proc, 'exit')
  const ready = await new Promise<FromServer>((resolve, reject) => {
    proc.once('message', resolve)
    proc.once('exit', (code) => reject(new BenchFailure(`${kind} server exited with ${code} before listening`)))
  })
  if (ready.type !== 'ready') throw new BenchFailure(`${kind} server: unexpected first message ${JSON.stringify(ready)}`)
  const child: Child = {
    kind,
    url: ready.url,
    proc,
    stats: () =>
      new Promise((resolve, reject) => {
        if (!proc.connected) return reject(new BenchFailure(`${kind} server is gone (exit ${proc.exitCode ?? proc.signalCode})`))
        const died = (code: number | null, signal: string | null) => reject(new BenchFailure(`${kind} server exited (${code ?? signal}) during the run`))
        proc.once('exit', died)
        proc.once('message', (m: FromServer) => {
          proc.off('exit', died)
          if (m.type === 'stats') resolve(m)
        })
        proc.send({ type: 'stats' } satisfies ToServer)
      }),
    async stop() {
      children.delete(child)
      if (proc.connected) proc.send({ type: 'stop' } satisfies ToServer)
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
  children.add(child)
  return child
}

// ---------------------------------------------------------------------------------------------
// load

interface Measurement {
  target: string
  url: string
  headers: Record<string, string>
  reqPerS: number
  requests: number
  /** From every response's own time (sub-millisecond); autocannon's histogram is whole ms. */
  p50Ms: number
  p99Ms: number
  meanMs: number
  autocannonP50Ms: number
  autocannonP99Ms: number
  throughputMBPerS: number
  /** Resident set of the server once listening (before any load), after the run, and its peak. */
  serverIdleRssMB: number
  serverRssMB: number
  serverMaxRssMB: number
  /** Server CPU time over the measured window / wall time (100 = one core busy). */
  serverCpuPct: number
  /** Server CPU time per answered request, microseconds: less sensitive than req/s to other work on the machine. */
  serverCpuUsPerReq: number
  /** The load generator's (this process's) CPU over the same window. */
  loadGenCpuPct: number
  ratioToBaseline?: number
  /** With --rounds > 1: req/s of every round (the row is the median round). */
  roundsReqPerS?: number[]
}

function load(url: string, headers: Record<string, string>, seconds: number, onTime?: (ms: number) => void): Promise<Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, headers, connections, duration: seconds, pipelining: 1, timeout: 10 }, (err, result) =>
      err ? reject(err) : resolve(result),
    )
    if (onTime) instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => onTime(ms))
  })
}

/** Throws unless every request of the run got a 2xx, without errors or timeouts. */
function assertClean(target: string, phase: string, r: Result): void {
  const bad = r.non2xx + r.errors + r.timeouts + r.resets
  if (bad === 0 && r['2xx'] > 0) return
  const codes = Object.entries(r.statusCodeStats).map(([code, { count }]) => `${code}: ${count}`).join(', ')
  throw new BenchFailure(
    `${target} (${phase}): ${r.non2xx} non-2xx responses, ${r.errors} errors, ${r.timeouts} timeouts, ${r.resets} resets ` +
      `out of ${r.requests.sent} requests (status codes: ${codes || 'none'})`,
  )
}

const quantile = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN

async function measure(target: string, child: Child, headers: Record<string, string>): Promise<Measurement> {
  const url = child.url + route
  const idle = await child.stats()
  if (warmup > 0) {
    process.stdout.write(`  ${target}: warm-up ${warmup}s ... `)
    assertClean(target, 'warm-up', await load(url, headers, warmup))
  } else process.stdout.write(`  ${target}: `)
  process.stdout.write(`measuring ${duration}s ... `)
  let times = new Float64Array(1 << 20)
  let n = 0
  const before = await child.stats()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const r = await load(url, headers, duration, (ms) => {
    if (n === times.length) {
      const grown = new Float64Array(times.length * 2)
      grown.set(times)
      times = grown
    }
    times[n++] = ms
  })
  const wallUs = (performance.now() - t0) * 1000
  const cpu = process.cpuUsage(cpu0)
  const after = await child.stats()
  assertClean(target, 'measured run', r)
  const sorted = times.subarray(0, n).sort()
  const serverCpuUs = after.cpuUserUs + after.cpuSystemUs - before.cpuUserUs - before.cpuSystemUs
  const m: Measurement = {
    target,
    url,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, k.toLowerCase() === 'authorization' ? 'Bearer <token>' : v])),
    reqPerS: r.requests.average,
    requests: r.requests.total,
    p50Ms: round(quantile(sorted, 0.5), 3),
    p99Ms: round(quantile(sorted, 0.99), 3),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / n, 3),
    autocannonP50Ms: r.latency.p50,
    autocannonP99Ms: r.latency.p99,
    throughputMBPerS: round(r.throughput.average / 1e6, 2),
    serverIdleRssMB: round(idle.rssBytes / 2 ** 20, 1),
    serverRssMB: round(after.rssBytes / 2 ** 20, 1),
    serverMaxRssMB: round(after.maxRssBytes / 2 ** 20, 1),
    serverCpuPct: round((serverCpuUs / wallUs) * 100, 0),
    serverCpuUsPerReq: round(serverCpuUs / n, 1),
    loadGenCpuPct: round(((cpu.user + cpu.system) / wallUs) * 100, 0),
  }
  console.log(`${Math.round(m.reqPerS)} req/s`)
  return m
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits

// ---------------------------------------------------------------------------------------------
// emulator checks

async function fetchChecked(url: string, init: RequestInit, what: string): Promise<Response> {
  const res = await fetch(url, init)
  if (res.status !== 200) throw new BenchFailure(`${what}: expected 200, got ${res.status} ${await res.text()}`)
  return res
}

async function loginToken(child: Child): Promise<string> {
  const res = await fetchChecked(
    `${child.url}/api/v1/auth/login`,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(login) },
    `POST /api/v1/auth/login as ${login.email}`,
  )
  const { access_token } = (await res.json()) as { access_token?: string }
  if (!access_token) throw new BenchFailure('login answered 200 without access_token')
  return access_token
}

/** One request of the benchmarked kind: must be 200 and carry X-RateLimit-Limit. */
async function checkRoute(child: Child, headers: Record<string, string>, what: string): Promise<{ body: Buffer; contentType: string }> {
  const res = await fetchChecked(child.url + route, { headers }, `GET ${route} (${what})`)
  if (!res.headers.has('x-ratelimit-limit')) throw new BenchFailure(`GET ${route} (${what}): no X-RateLimit-Limit header`)
  return { body: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') ?? 'application/json' }
}

// ---------------------------------------------------------------------------------------------
// start-up

interface Startup {
  /** Spawn → the banner's first line on stdout. */
  bannerMs: number
  /** Spawn → the first 200 of GET /__mock/health. */
  healthMs: number
}

function healthStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    get(url, { agent: false }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    }).on('error', () => resolve(0))
  })
}

async function startupOnce(): Promise<Startup> {
  const t0 = performance.now()
  const proc = spawn(process.execPath, ['bin/haltless-mock.js', '--port', '0', '--seed', '1', '--log-level', 'silent'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = once(proc, 'exit')
  let stderr = ''
  proc.stderr!.on('data', (d: Buffer) => (stderr += d))
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = ''
      proc.stdout!.on('data', (d: Buffer) => {
        out += d
        const nl = out.indexOf('\n')
        if (nl < 0) return
        const m = /serving the Haltless API at (http:\/\/\S+?)\/api\/v1\b/.exec(out.slice(0, nl))
        m ? resolve(m[1]!) : reject(new BenchFailure(`unexpected first stdout line of the CLI: ${out.slice(0, nl)}`))
      })
      proc.once('exit', (code) => reject(new BenchFailure(`the CLI exited with ${code} before printing its URL: ${stderr}`)))
    })
    const bannerMs = performance.now() - t0
    const deadline = t0 + 30_000
    for (;;) {
      const status = await healthStatus(`${base}/__mock/health`)
      if (status === 200) return { bannerMs, healthMs: performance.now() - t0 }
      if (performance.now() > deadline) throw new BenchFailure(`GET ${base}/__mock/health: no 200 within 30 s (last ${status})`)
      await new Promise((r) => setTimeout(r, 2))
    }
  } finally {
    proc.kill('SIGTERM')
    await exited
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

// ---------------------------------------------------------------------------------------------
// report

function table(rows: Measurement[]): string {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'server RSS MB idle/after', 'server CPU %', 'server CPU µs/req', 'loadgen CPU %', 'vs baseline']
  const body = rows.map((m) => [
    m.target,
    String(Math.round(m.reqPerS)),
    m.p50Ms.toFixed(3),
    m.p99Ms.toFixed(3),
    `${m.serverIdleRssMB.toFixed(0)} / ${m.serverRssMB.toFixed(0)}`,
    String(m.serverCpuPct),
    m.serverCpuUsPerReq.toFixed(1),
    String(m.loadGenCpuPct),
    m.ratioToBaseline === undefined ? '' : m.ratioToBaseline.toFixed(2),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |'
  const sep = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|'
  return [line(head), sep, ...body.map(line)].join('\n')
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGB: round(totalmem() / 2 ** 30, 1), node: process.version, platform: `${process.platform} ${process.arch}` }
  console.log(`haltless-mock benchmark: ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memGB} GB`)
  console.log(`load: autocannon, ${connections} connections, ${warmup}s warm-up + ${duration}s per target, 127.0.0.1, server in a child process`)
  const loadBefore = loadavg()
  if (loadBefore[0]! > 1) console.log(`warning: load average ${loadBefore[0]!.toFixed(2)} before the run: other work on this machine skews the figures`)

  let startup: { runs: Startup[]; medianBannerMs: number; medianHealthMs: number } | undefined
  if (!flags['no-startup']) {
    process.stdout.write(`start-up: node bin/haltless-mock.js --port 0, ${startupRuns} runs ... `)
    const runs: Startup[] = []
    for (let i = 0; i < startupRuns; i++) runs.push(await startupOnce())
    startup = {
      runs: runs.map((r) => ({ bannerMs: round(r.bannerMs, 1), healthMs: round(r.healthMs, 1) })),
      medianBannerMs: round(median(runs.map((r) => r.bannerMs)), 1),
      medianHealthMs: round(median(runs.map((r) => r.healthMs)), 1),
    }
    console.log(`median ${startup.medianHealthMs} ms to the first 200 of /__mock/health (banner at ${startup.medianBannerMs} ms)`)
  }

  // The baseline serves exactly the bytes the emulator answers.
  const probe = await startServer('emulator')
  const sample = await checkRoute(probe, { Authorization: `Bearer ${await loginToken(probe)}` }, 'JWT')
  await probe.stop()
  console.log(`GET ${route}: ${sample.body.length} bytes of ${sample.contentType}`)

  const bodyEnv = { BENCH_BODY_B64: sample.body.toString('base64'), BENCH_CONTENT_TYPE: sample.contentType }
  const targets: { name: string; kind: ServerKind; env?: Record<string, string>; headers(child: Child): Promise<Record<string, string>> }[] = [
    { name: 'node:http baseline', kind: 'baseline', env: bodyEnv, headers: async () => ({}) },
    {
      name: 'emulator, JWT',
      kind: 'emulator',
      async headers(child) {
        const h = { Authorization: `Bearer ${await loginToken(child)}` }
        await checkRoute(child, h, 'JWT')
        return h
      },
    },
    {
      name: 'emulator, API key',
      kind: 'emulator',
      async headers(child) {
        const h = { 'X-API-Key': apiKey }
        await checkRoute(child, h, 'API key')
        return h
      },
    },
  ]
  const runs = targets.map(() => [] as Measurement[])
  for (let i = 0; i < rounds; i++) {
    if (rounds > 1) console.log(`round ${i + 1} of ${rounds}`)
    for (const [t, target] of targets.entries()) {
      const child = await startServer(target.kind, target.env)
      runs[t]!.push(await measure(target.name, child, await target.headers(child)))
      await child.stop()
    }
  }
  const rows = runs.map((ms) => {
    const sorted = [...ms].sort((a, b) => a.reqPerS - b.reqPerS)
    const row = { ...sorted[(sorted.length - 1) >> 1]! }
    if (ms.length > 1) row.roundsReqPerS = ms.map((m) => m.reqPerS)
    return row
  })
  const loadAfter = loadavg()

  const base = rows[0]!.reqPerS
  for (const r of rows) r.ratioToBaseline = round(r.reqPerS / base, 3)

  console.log()
  console.log(table(rows))
  console.log()
  console.log('p50/p99: from each response\'s own time; CPU %: 100 = one core busy; loadgen = autocannon in this process.')
  if (rounds > 1) console.log(`median of ${rounds} rounds; req/s per round: ${rows.map((r) => `${r.target} [${r.roundsReqPerS!.map(Math.round).join(', ')}]`).join('; ')}`)
  console.log(`load average (1 min) before: ${loadBefore[0]!.toFixed(2)}, after: ${loadAfter[0]!.toFixed(2)}`)
  if (startup) console.log(`start-up (spawn -> first 200 of /__mock/health): median ${startup.medianHealthMs} ms of ${startupRuns} runs [${startup.runs.map((r) => r.healthMs).join(', ')}]`)

  const ratio = rows[1]!.ratioToBaseline!
  const results = {
    date: new Date().toISOString(),
    machine,
    settings: { connections, durationS: duration, warmupS: warmup, rounds, route, pipelining: 1, servers: 'one child process per server, autocannon in the parent' },
    loadAverage1m: { before: round(loadBefore[0]!, 2), after: round(loadAfter[0]!, 2) },
    targets: rows,
    emulatorJwtRatio: ratio,
    emulatorApiKeyRatio: rows[2]!.ratioToBaseline,
    startup,
  }
  const out = join(root, 'bench', 'results.json')
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n')
  console.log(`results written to ${out}`)
  if (flags.profile) console.log(`CPU profiles of the server children: ${join(root, 'bench', 'profiles')}`)

  if (minRatio !== undefined && ratio < minRatio) {
    console.error(`FAIL: emulator (JWT) req/s is ${ratio.toFixed(2)} x baseline, below --min-ratio ${minRatio}`)
    return 1
  }
  return 0
}

let code: number
try {
  code = await main()
} catch (err) {
  console.log()
  console.error(err instanceof BenchFailure ? `benchmark FAILED: ${err.message}` : err)
  code = 1
} finally {
  for (const c of [...children]) await c.stop()
}
process.exit(code!)
