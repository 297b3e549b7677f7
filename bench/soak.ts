// The soak: a long run of mixed requests (reads, ingests, creates and deletes) with faults on and
// the journal on, sampling the server's memory every --sample-every requests. Memory must stay flat
// after warm-up: every judged sample's RSS within ±10 % of their mean. See bench/README.md, "Soak".
//
//   npm run soak -- [--requests 1000000] [--sample-every 50000] [--connections 10]
//                   [--warmup-samples 2] [--seed 1] [--profile]
//
// The server runs in a child process of its own (bench/soak-server.ts, with --expose-gc); autocannon
// runs here. Each sample is taken between two slices of load, after a full garbage collection in
// the child. Exit 1 when the goal is missed or the run fails (a socket error, a timeout, a status the
// mix cannot produce).
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon, { type Result } from 'autocannon'
import { demoPassword } from '../src/store/demo.js'
import { BenchFailure, root, round } from './lib/common.js'
import { curve, deviation, verdictLine, type SoakPoint } from './lib/soak-report.js'
import { expectedStatuses, soakRequests, soakScenario, soakSessions } from './lib/soak-mix.js'
import type { FromSoakServer, SoakSample, ToSoakServer } from './soak-server.js'

/** The goal: every judged sample's RSS within this share of their mean. */
const goal = 0.1

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000000' },
    'sample-every': { type: 'string', default: '50000' },
    connections: { type: 'string', default: '10' },
    'warmup-samples': { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (flags.help) {
  console.log(`usage: npm run soak -- [options]
  --requests <n>         requests in all (default 1000000)
  --sample-every <n>     requests between two memory samples (default 50000)
  --connections <n>      concurrent keep-alive connections (default 10)
  --warmup-samples <n>   first samples not judged (default 2)
  --seed <n>             the server's seed: ids and every fault decision (default 1)
  --profile              run the server child with --cpu-prof (written to bench/profiles/)`)
  process.exit(0)
}
const int = (name: string, min: number): number => {
  const v = flags[name as keyof typeof flags] as string
  const n = Number(v)
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min} (got ${v})`)
  return n
}
const total = int('requests', 1)
const sampleEvery = int('sample-every', 1)
const connections = int('connections', 1)
const warmupSamples = int('warmup-samples', 0)
const seed = int('seed', 0)
const slices = Math.ceil(total / sampleEvery)
if (slices - warmupSamples < 2) throw new Error(`--requests / --sample-every leaves ${slices - warmupSamples} samples after warm-up: at least 2 are needed`)
if (sampleEvery < connections) throw new Error('--sample-every must be at least --connections')

/** The server child, and a way to ask it for a sample. */
async function startChild(): Promise<{ url: string; proc: ChildProcess; sample(): Promise<SoakSample>; stop(): Promise<void> }> {
  const profile = flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(root, 'bench', 'profiles')}`] : []
  const proc = spawn(process.execPath, ['--expose-gc', ...profile, 'bin/run-ts.js', 'bench/soak-server.ts'], {
    cwd: root,
    env: { ...process.env, SOAK_SEED: String(seed) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = once(proc, 'exit')
  const next = () =>
    new Promise<FromSoakServer>((resolve, reject) => {
      const died = (code: number | null, signal: string | null) => reject(new BenchFailure(`the server child exited (${code ?? signal})`))
      proc.once('exit', died)
      proc.once('message', (m: FromSoakServer) => (proc.off('exit', died), resolve(m)))
    })
  const ready = await next()
  if (ready.type !== 'ready') throw new BenchFailure(`server child: unexpected first message ${JSON.stringify(ready)}`)
  return {
    url: ready.url,
    proc,
    async sample() {
      const answer = next()
      proc.send({ type: 'sample' } satisfies ToSoakServer)
      const m = await answer
      if (m.type !== 'sample') throw new BenchFailure(`server child: expected a sample, got ${JSON.stringify(m)}`)
      const { type: _, ...sample } = m
      return sample
    },
    async stop() {
      if (proc.connected) proc.send({ type: 'stop' } satisfies ToSoakServer)
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** The demo admin's token; the soak scenario's 5 % of 500s reach the login too, so it is retried. */
async function login(url: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Mock-Session': 'soak-login' },
      body: JSON.stringify({ email: 'admin@acme.example', password: demoPassword }),
    })
    const body = (await res.json()) as { access_token?: string }
    if (res.status === 200 && body.access_token) return body.access_token
  }
  throw new BenchFailure('POST /api/v1/auth/login failed 20 times')
}

function slice(url: string, token: string, amount: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: Math.min(connections, amount), amount, pipelining: 1, timeout: 10, requests: soakRequests(token) }, (err, result) =>
      err ? reject(err) : resolve(result),
    )
  })
}

/** Throws on a socket error, a timeout, or a status the mix cannot produce. */
function check(r: Result, at: number): Record<string, number> {
  const statuses = Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, { count }]) => [code, count]))
  const unexpected = Object.keys(statuses).filter((code) => !expectedStatuses.has(Number(code)))
  if (r.errors + r.timeouts > 0 || unexpected.length > 0)
    throw new BenchFailure(`slice ending at request ${at}: ${r.errors} errors, ${r.timeouts} timeouts, statuses ${JSON.stringify(statuses)}` +
      (unexpected.length ? ` (unexpected: ${unexpected.join(', ')})` : ''))
  return statuses
}

async function main(): Promise<number> {
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGB: round(totalmem() / 2 ** 30, 1), node: process.version, platform: `${process.platform} ${process.arch}` }
  const loadBefore = loadavg()
  console.log(`haltless-mock soak: ${total} requests, a sample every ${sampleEvery}, ${connections} connections, seed ${seed}, ${soakSessions} sessions, journal on`)
  console.log(`  ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memGB} GB; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`)
  console.log(`  faults: ${soakScenario.description}`)
  const child = await startChild()
  try {
    const token = await login(child.url)
    const points: SoakPoint[] = [{ index: 0, requests: 0, elapsedS: 0, reqPerS: 0, cpuUsPerReq: 0, statuses: {}, ...(await child.sample()) }]
    const t0 = performance.now()
    let done = 0
    for (let i = 1; i <= slices; i++) {
      const amount = Math.min(sampleEvery, total - done)
      const started = performance.now()
      const r = await slice(child.url, token, amount)
      const sliceS = (performance.now() - started) / 1000
      done += amount
      const statuses = check(r, done)
      const sample = await child.sample()
      const cpuUsPerReq = (sample.cpuUs - points.at(-1)!.cpuUs) / amount
      const point: SoakPoint = { index: i, requests: done, elapsedS: (performance.now() - t0) / 1000, reqPerS: amount / sliceS, cpuUsPerReq, statuses, ...sample }
      points.push(point)
      process.stdout.write(`\r  sample ${i}/${slices}: ${done} requests, RSS ${(point.rssBytes / 2 ** 20).toFixed(1)} MB, heap ${(point.heapUsedBytes / 2 ** 20).toFixed(1)} MB  `)
    }
    const durationS = (performance.now() - t0) / 1000
    const loadAfter = loadavg()
    console.log(`\n\n${curve(points, warmupSamples)}\n`)
    const judged = points.slice(1 + warmupSamples)
    const rss = deviation(judged, (p) => p.rssBytes)
    const heap = deviation(judged, (p) => p.heapUsedBytes)
    const met = rss.maxDeviation <= goal
    console.log(`${total} requests in ${durationS.toFixed(0)} s (${Math.round(total / durationS)} req/s); load average after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`)
    console.log(`judged: samples ${judged[0]!.index}-${judged.at(-1)!.index} (${judged.length}), after ${warmupSamples} warm-up samples`)
    console.log(verdictLine('RSS after GC', rss, goal))
    console.log(verdictLine('heap used after GC (not judged)', heap, null))
    console.log(`peak RSS during the load (not judged): ${round(points.at(-1)!.maxRssBytes / 2 ** 20, 1)} MB`)
    console.log(`soak ${met ? 'met' : 'MISSED'} its goal: RSS within ±${goal * 100} % of its post-warm-up mean`)
    const results = {
      date: new Date().toISOString(), machine, loadavg: { before: loadBefore, after: loadAfter },
      settings: { requests: total, sampleEvery, connections, warmupSamples, seed, sessions: soakSessions, scenario: soakScenario },
      durationS: round(durationS, 1), goal, met, rss, heap, samples: points,
    }
    writeFileSync(join(root, 'bench', 'soak-results.json'), JSON.stringify(results, null, 2) + '\n')
    console.log('written to bench/soak-results.json')
    return met ? 0 : 1
  } finally {
    await child.stop()
  }
}

try {
  process.exitCode = await main()
} catch (err) {
  if (!(err instanceof BenchFailure)) throw err
  console.error(`\nsoak FAILED: ${err.message}`)
  process.exitCode = 1
}
