// Throughput and latency of the emulator's `GET /api/v1/machines` against a bare node:http server
// serving the same bytes, with the scenario engine off and on (idle, 1 and 1,000 rules), plus the
// CLI's start-up time, the proxy, and other mock servers (Prism, WireMock) serving the same bytes.
// See bench/README.md.
//
//   npm run bench -- [--duration 5] [--warmup 2] [--connections 10] [--rounds 1]
//                    [--startup-runs 5] [--no-startup] [--no-proxy] [--no-peers] [--jvm-warmup 30]
//                    [--min-ratio 0.6] [--profile]
//
// Every server runs in a child process of its own (bench/server.ts, started by bench/lib/children.ts);
// autocannon runs here, in the parent (bench/lib/load.ts). On a 2-core machine that gives the server
// one core and the load generator the other, instead of both sharing one event loop. One server is
// up at a time, each target gets a fresh one.
import { writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { ServerKind } from './server.js'
import { apiKey, checkRoute, loginToken } from './lib/checks.js'
import { startServer, stopAllServers, type Child } from './lib/children.js'
import { BenchFailure, root, round, route } from './lib/common.js'
import { measure, type LoadSettings, type Measurement } from './lib/load.js'
import { engineSection, table, type Comparison } from './lib/report.js'
import { activate, checkCounters, idleScenario, matchingScenario, otherRoutesScenario, type InlineScenario } from './lib/scenarios.js'
import { measureStartup, type StartupSummary } from './lib/startup.js'
import { proxyGoalsText, proxySection, type ProxyResults } from './lib/proxy.js'
import { fetchOpenApi, peersSection, peersText, settlePeers, type PeerResults } from './lib/peers.js'

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    'startup-runs': { type: 'string', default: '5' },
    'min-ratio': { type: 'string' },
    'no-startup': { type: 'boolean', default: false },
    'no-proxy': { type: 'boolean', default: false },
    'no-peers': { type: 'boolean', default: false },
    'jvm-warmup': { type: 'string', default: '30' },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (flags.help) {
  console.log(`usage: npm run bench -- [options]
  --duration <s>        measured seconds per target (default 5)
  --warmup <s>          unmeasured seconds of the same load first (default 2; 0 = none)
  --connections <n>     concurrent keep-alive connections (default 10)
  --rounds <n>          measure every target n times, interleaved; report each one's median round (default 1)
  --startup-runs <n>    CLI start-up samples (default 5)
  --no-startup          skip the start-up measurement
  --no-proxy            skip the proxy section (direct vs http-proxy-middleware vs our proxy)
  --no-peers            skip the peers (Stoplight Prism, WireMock serving the same bytes)
  --jvm-warmup <s>      WireMock: at most this many seconds of extra warm-up until its req/s is steady (default 30; 0 = none)
  --min-ratio <r>       exit 1 unless emulator (JWT) req/s >= r x baseline req/s
  --profile             run the server children with --cpu-prof (written to bench/profiles/)
  --only <a,b>          of the first section, measure only the rows whose name contains a or b (the
                        baseline and emulator, JWT always run); goals without both rows are left out`)
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
const jvmWarmup = num('jvm-warmup', flags['jvm-warmup'], 0)
const minRatio = flags['min-ratio'] === undefined ? undefined : num('min-ratio', flags['min-ratio'], 0)
const settings: LoadSettings = { connections, warmup, duration }

async function main(): Promise<number> {
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGB: round(totalmem() / 2 ** 30, 1), node: process.version, platform: `${process.platform} ${process.arch}` }
  console.log(`haltless-mock benchmark: ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memGB} GB`)
  console.log(`load: autocannon, ${connections} connections, ${warmup}s warm-up + ${duration}s per target, 127.0.0.1, server in a child process`)
  const loadBefore = loadavg()
  if (loadBefore[0]! > 1) console.log(`warning: load average ${loadBefore[0]!.toFixed(2)} before the run: other work on this machine skews the figures`)

  let startup: StartupSummary | undefined
  if (!flags['no-startup']) {
    process.stdout.write(`start-up: node bin/haltless-mock.js --port 0, ${startupRuns} runs ... `)
    startup = await measureStartup(startupRuns)
    console.log(`median ${startup.medianHealthMs} ms to the first 200 of /__mock/health (banner at ${startup.medianBannerMs} ms)`)
  }

  // The baseline serves exactly the bytes the emulator answers.
  const pids: { target: string; pid: number }[] = []
  const probe = await startServer('emulator', {}, flags.profile)
  pids.push({ target: 'probe (captures the response the baseline serves)', pid: probe.proc.pid! })
  const sample = await checkRoute(probe, { Authorization: `Bearer ${await loginToken(probe)}` }, 'JWT')
  const openApi = flags['no-peers'] ? undefined : await fetchOpenApi(probe)
  await probe.stop()
  console.log(`GET ${route}: ${sample.body.length} bytes of ${sample.contentType}`)

  const bodyEnv = { BENCH_BODY_B64: sample.body.toString('base64'), BENCH_CONTENT_TYPE: sample.contentType }
  interface Target {
    name: string
    kind: ServerKind
    env?: Record<string, string>
    /** Before measuring: any set-up, then the pre-check; resolves the request headers. */
    headers(child: Child): Promise<Record<string, string>>
    /** After the measured run (outside the measured window). */
    after?(child: Child, m: Measurement): Promise<void>
  }
  const jwt = async (child: Child) => {
    const h = { Authorization: `Bearer ${await loginToken(child)}` }
    await checkRoute(child, h, 'JWT')
    return h
  }
  /** The emulator with `scenario` active in the default session, measured like `emulator, JWT`. */
  const engineTarget = (name: string, scenario: InlineScenario, everyRuleMatches: boolean): Target => ({
    name,
    kind: 'emulator',
    async headers(child) {
      await activate(child, scenario)
      return jwt(child)
    },
    after: (child, m) => checkCounters(child, scenario, m.requests, everyRuleMatches),
  })
  const allTargets: Target[] = [
    { name: 'node:http baseline', kind: 'baseline', env: bodyEnv, headers: async () => ({}) },
    { name: 'Hono, one route', kind: 'hono', env: bodyEnv, headers: async () => ({}) },
    { name: 'emulator, JWT', kind: 'emulator', headers: jwt },
    {
      name: 'emulator, API key',
      kind: 'emulator',
      async headers(child) {
        const h = { 'X-API-Key': apiKey }
        await checkRoute(child, h, 'API key')
        return h
      },
    },
    engineTarget('engine on, no rule matching', idleScenario(), false),
    engineTarget('engine, 1 rule', matchingScenario('bench-1-rule', 1), true),
    engineTarget('engine, 1,000 rules', matchingScenario('bench-1000-rules', 1000), true),
    engineTarget('engine, 1,000 rules on other routes', otherRoutesScenario('bench-1000-other-routes', 1000), false),
  ]
  const only = flags.only?.split(',').map((x) => x.trim()).filter(Boolean)
  const headline = ['node:http baseline', 'emulator, JWT']
  const targets = only ? allTargets.filter((t) => headline.includes(t.name) || only.some((o) => t.name.includes(o))) : allTargets
  /** The engine's goals: req/s of `target` ≥ `goal` × req/s of `reference`. */
  const allGoals = [
    { label: 'engine on, no rule matching vs engine off (emulator, JWT)', target: 'engine on, no rule matching', reference: 'emulator, JWT', goal: 0.95 },
    { label: '1,000 rules vs 1 rule', target: 'engine, 1,000 rules', reference: 'engine, 1 rule', goal: 0.9 },
    { label: '1,000 rules on other routes vs engine on, no rule matching', target: 'engine, 1,000 rules on other routes', reference: 'engine on, no rule matching', goal: 0.95 },
  ]
  const goals = allGoals.filter((g) => targets.some((t) => t.name === g.target) && targets.some((t) => t.name === g.reference))
  const runs = targets.map(() => [] as Measurement[])
  for (let i = 0; i < rounds; i++) {
    if (rounds > 1) console.log(`round ${i + 1} of ${rounds}`)
    for (const [t, target] of targets.entries()) {
      const child = await startServer(target.kind, target.env, flags.profile)
      pids.push({ target: target.name, pid: child.proc.pid! })
      const m = await measure(target.name, child, await target.headers(child), settings)
      await target.after?.(child, m)
      runs[t]!.push(m)
      await child.stop()
    }
  }
  let peers: PeerResults | undefined
  if (openApi) {
    console.log('peers: Stoplight Prism and WireMock serving the same bytes (X-API-Key on every request)')
    peers = await peersSection(settings, { ...sample, openApi }, { rounds, jvmWarmup })
  }
  let proxy: ProxyResults | undefined
  if (!flags['no-proxy']) {
    console.log('proxy section: upstream direct, through http-proxy-middleware, through haltless-mock --mode proxy')
    proxy = await proxySection(settings, bodyEnv, flags.profile)
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
  const index = (name: string) => targets.findIndex((t) => t.name === name)
  if (peers) settlePeers(peers, base, rows[index('emulator, JWT')]!)
  const engine: Comparison[] = goals.map((g) => {
    const [t, r] = [index(g.target), index(g.reference)]
    const ratio = round(rows[t]!.reqPerS / rows[r]!.reqPerS, 3)
    return {
      ...g,
      ratio,
      met: ratio >= g.goal,
      cpuUsPerReq: { target: rows[t]!.serverCpuUsPerReq, reference: rows[r]!.serverCpuUsPerReq },
      ...(rounds > 1 ? { roundsRatio: runs[t]!.map((m, i) => round(m.reqPerS / runs[r]![i]!.reqPerS, 3)) } : {}),
    }
  })

  console.log()
  console.log(table(peers ? [...rows, ...peers.rows] : rows))
  console.log()
  console.log('p50/p99: from each response\'s own time; CPU %: 100 = one core busy; loadgen = autocannon in this process.')
  console.log()
  console.log(engineSection(engine))
  console.log()
  if (peers) {
    console.log(peersText(peers))
    console.log()
  }
  if (proxy) {
    console.log(table([...proxy.throughput, ...proxy.sequential]))
    console.log()
    console.log(proxyGoalsText(proxy))
    console.log()
  }
  if (rounds > 1) console.log(`median of ${rounds} rounds; req/s per round: ${rows.map((r) => `${r.target} [${r.roundsReqPerS!.map(Math.round).join(', ')}]`).join('; ')}`)
  console.log(`load average (1 min) before: ${loadBefore[0]!.toFixed(2)}, after: ${loadAfter[0]!.toFixed(2)}`)
  if (startup) console.log(`start-up (spawn -> first 200 of /__mock/health): median ${startup.medianHealthMs} ms of ${startupRuns} runs [${startup.runs.map((r) => r.healthMs).join(', ')}]`)

  const ratio = rows[index('emulator, JWT')]!.ratioToBaseline!
  const results = {
    date: new Date().toISOString(),
    machine,
    settings: { connections, durationS: duration, warmupS: warmup, jvmWarmupMaxS: jvmWarmup, rounds, route, pipelining: 1, servers: 'one child process per server, autocannon in the parent' },
    loadAverage1m: { before: round(loadBefore[0]!, 2), after: round(loadAfter[0]!, 2) },
    targets: rows,
    emulatorJwtRatio: ratio,
    emulatorApiKeyRatio: rows[index('emulator, API key')]?.ratioToBaseline ?? null,
    engine,
    peers,
    proxy,
    startup,
  }
  const out = join(root, 'bench', 'results.json')
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n')
  console.log(`results written to ${out}`)
  if (flags.profile) {
    console.log(`CPU profiles of the server children: ${join(root, 'bench', 'profiles')} (CPU.<date>.<time>.<pid>.0.*.cpuprofile is the main thread)`)
    for (const p of pids) console.log(`  pid ${p.pid}: ${p.target}`)
  }

  if (peers?.failed.length) {
    console.error(`FAIL: ${peers.failed.map((f) => f.peer).join(', ')} failed (see above)`)
    return 1
  }
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
  await stopAllServers()
}
process.exit(code!)
