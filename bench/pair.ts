// A paired comparison of this checkout against another git revision: in each round both servers run
// at once, each under the same fixed request rate from its own autocannon, and the round reports the
// server CPU time per request of each and their ratio. Whatever else the machine does in a round
// (other virtual machines, the CPU's clock) falls on both alike, so the ratio holds still where two
// req/s figures measured one after the other swing by ±20 %. See bench/README.md.
//
//   npm run bench:pair -- --base <rev> [--target jwt|api-key|proxy|proxy-no-drift]
//                         [--rounds 5] [--rate 4000] [--duration 3] [--warmup 1]
//   npm run bench:pair -- --base hpm --target proxy    (our proxy against plain http-proxy-middleware)
//   npm run bench:pair -- --base HEAD --scenario idle  (the engine's cost: a scenario on one side)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Result } from 'autocannon'
import { apiKey, checkRoute, loginToken } from './lib/checks.js'
import { activate, idleScenario, matchingScenario, otherRoutesScenario, type InlineScenario } from './lib/scenarios.js'
import { startServer, stopAllServers, type Child } from './lib/children.js'
import { BenchFailure, root, round, route } from './lib/common.js'
import { assertClean, load } from './lib/load.js'

const targets = ['jwt', 'api-key', 'proxy', 'proxy-no-drift'] as const
type Target = (typeof targets)[number]

const { values: flags } = parseArgs({
  options: {
    base: { type: 'string' },
    target: { type: 'string', default: 'jwt' },
    rounds: { type: 'string', default: '5' },
    rate: { type: 'string', default: '4000' },
    connections: { type: 'string', default: '10' },
    duration: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    scenario: { type: 'string' },
    'base-scenario': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (flags.help || !flags.base) {
  console.log(`usage: npm run bench:pair -- --base <rev> [options]
  --base <rev>          the git revision to compare this checkout with (required); with a proxy
                        target, \`hpm\` compares with plain http-proxy-middleware (keep-alive) instead
  --target <t>          jwt | api-key (the emulator's GET ${route}) | proxy | proxy-no-drift (default jwt)
  --rounds <n>          rounds, each with fresh servers (default 5)
  --rate <r>            requests per second sent to each server (default 4000)
  --connections <n>     keep-alive connections of each load (default 10; 1 for latency one request at a time)
  --duration <s>        measured seconds per round (default 3)
  --warmup <s>          unmeasured seconds at the same rate first (default 1)
  --scenario <s>        emulator targets: activate one of npm run bench's engine scenarios on this side
                        (idle, 1-rule, 1000-rules, 1000-other-routes) before measuring
  --base-scenario <s>   the same on the base side`)
  process.exit(flags.help ? 0 : 2)
}
/** A flag that cannot be used: one line saying which and why, exit 2. */
function badFlag(message: string): never {
  console.error(`bench:pair: ${message}`)
  process.exit(2)
}
const num = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v)
  if (!Number.isFinite(n) || n < min) return badFlag(`--${name} must be a number >= ${min} (got ${v})`)
  return n
}
if (!targets.includes(flags.target as Target)) badFlag(`--target must be one of ${targets.join(', ')} (got ${flags.target})`)
const target = flags.target as Target
const rounds = Math.floor(num('rounds', flags.rounds, 1))
const rate = num('rate', flags.rate, 1)
const connections = Math.floor(num('connections', flags.connections, 1))
const duration = num('duration', flags.duration, 1)
const warmup = num('warmup', flags.warmup, 0)
const proxied = target.startsWith('proxy')
/** npm run bench's engine scenarios, by the name the flags take. */
const scenarios: Record<string, () => InlineScenario> = {
  idle: idleScenario,
  '1-rule': () => matchingScenario('bench-1-rule', 1),
  '1000-rules': () => matchingScenario('bench-1000-rules', 1000),
  '1000-other-routes': () => otherRoutesScenario('bench-1000-other-routes', 1000),
}
const scenarioOf = (flag: 'scenario' | 'base-scenario'): InlineScenario | undefined => {
  const name = flags[flag]
  if (name === undefined) return undefined
  if (proxied) return badFlag(`--${flag} applies to the emulator targets (jwt, api-key)`)
  if (!(name in scenarios)) return badFlag(`--${flag} must be one of ${Object.keys(scenarios).join(', ')} (got ${name})`)
  return scenarios[name]!()
}
const sideScenarios = [scenarioOf('base-scenario'), scenarioOf('scenario')]
/** The other side is plain http-proxy-middleware in this checkout, not another revision. */
const againstHpm = flags.base === 'hpm'
if (againstHpm && !proxied) badFlag('--base hpm compares proxies: use it with --target proxy or proxy-no-drift')

/** A fixed-rate load of `seconds` on one server; every answer must be a 2xx. Resolves autocannon's result and the p50 of the answers' own times. */
async function fixedRate(url: string, headers: Record<string, string>, seconds: number): Promise<{ result: Result; p50Ms: number }> {
  const times: number[] = []
  const result = await load(url, headers, connections, seconds, (ms) => void times.push(ms), rate)
  assertClean(url, 'paired run', result)
  return { result, p50Ms: median(times) }
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()
/** The commit `rev` names in this checkout; anything else stops the run with a clear line. */
function revision(rev: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    throw new BenchFailure(`--base ${rev}: not a commit of this checkout (a branch, tag or hash; or hpm with a proxy target)`)
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!

async function main(): Promise<void> {
  const head = git('rev-parse', 'HEAD')
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== ''
  const sha = againstHpm ? 'hpm' : revision(flags.base!)
  const baseDir = againstHpm ? root : mkdtempSync(join(tmpdir(), 'haltless-mock-pair-'))
  if (!againstHpm) git('worktree', 'add', '--detach', baseDir, sha)
  try {
    if (!againstHpm) symlinkSync(join(root, 'node_modules'), join(baseDir, 'node_modules'), 'dir')
    const kind = proxied ? 'proxy' : 'emulator'
    const sides = [
      { name: againstHpm ? 'plain http-proxy-middleware' : `base ${sha.slice(0, 9)}`, cwd: baseDir, kind: againstHpm ? 'hpm' : kind } as const,
      { name: `this ${head.slice(0, 9)}${dirty ? '+changes' : ''}`, cwd: root, kind } as const,
    ].map((side, j) => ({ ...side, name: `${side.name}${flags[j === 0 ? 'base-scenario' : 'scenario'] ? ` (${flags[j === 0 ? 'base-scenario' : 'scenario']})` : ''}` }))
    console.log(`paired: ${target}, ${rounds} rounds of ${warmup}s + ${duration}s at ${rate} req/s to each server, both at once`)
    let env: Record<string, string> = {}
    if (proxied) {
      // the upstream serves the emulator's own answer, as in npm run bench
      const probe = await startServer('emulator')
      const sample = await checkRoute(probe, { 'X-API-Key': apiKey }, 'API key')
      await probe.stop()
      const upstream = await startServer('baseline', { BENCH_BODY_B64: sample.body.toString('base64'), BENCH_CONTENT_TYPE: sample.contentType })
      env = { BENCH_UPSTREAM: upstream.url, ...(target === 'proxy-no-drift' ? { BENCH_PROXY_DRIFT: 'off' } : {}) }
    }
    const cpu = sides.map(() => [] as number[])
    const ratios: number[] = []
    const p50s = sides.map(() => [] as number[])
    for (let i = 0; i < rounds; i++) {
      // every other round the sides swap places (which starts first, whose load is sent first), so
      // that neither gains from its position
      const order = i % 2 === 0 ? [0, 1] : [1, 0]
      const inOrder = <T>(f: (j: number) => Promise<T>): Promise<T[]> =>
        Promise.all(order.map((j) => f(j))).then((xs) => order.map((_, k) => xs[order.indexOf(k)]!))
      const children: Child[] = await inOrder((j) => startServer(sides[j]!.kind, env, false, sides[j]!.cwd))
      const headers = await Promise.all(children.map(async (child, j) => {
        if (proxied) return {}
        const scenario = sideScenarios[j]
        if (scenario) await activate(child, scenario)
        const h: Record<string, string> = target === 'jwt' ? { Authorization: `Bearer ${await loginToken(child)}` } : { 'X-API-Key': apiKey }
        await checkRoute(child, h, target)
        return h
      }))
      if (warmup > 0) await inOrder((j) => fixedRate(children[j]!.url + route, headers[j]!, warmup))
      const before = await inOrder((j) => children[j]!.stats())
      const results = await inOrder((j) => fixedRate(children[j]!.url + route, headers[j]!, duration))
      const after = await inOrder((j) => children[j]!.stats())
      const us = children.map((_, j) => (after[j]!.cpuUserUs + after[j]!.cpuSystemUs - before[j]!.cpuUserUs - before[j]!.cpuSystemUs) / results[j]!.result.requests.total)
      results.forEach((r, j) => p50s[j]!.push(round(r.p50Ms, 3)))
      us.forEach((u, j) => cpu[j]!.push(round(u, 1)))
      ratios.push(round(us[1]! / us[0]!, 3))
      console.log(`  round ${i + 1}: ${sides.map((s, j) => `${s.name} ${us[j]!.toFixed(1)} µs/req, p50 ${results[j]!.p50Ms.toFixed(3)} ms`).join('; ')}; ratio ${ratios.at(-1)!.toFixed(3)}`)
      await Promise.all(children.map((c) => c.stop()))
    }
    const summary = {
      date: new Date().toISOString(), target, rate, connections, durationS: duration, warmupS: warmup, rounds,
      base: { rev: sha, cpuUsPerReq: cpu[0], median: median(cpu[0]!), p50Ms: p50s[0] },
      this: { rev: head, changes: dirty, cpuUsPerReq: cpu[1], median: median(cpu[1]!), p50Ms: p50s[1] },
      ratios, medianRatio: median(ratios),
      /** p50 of this side minus the base's, per round (ms), and its median. */
      p50AddedMs: p50s[1]!.map((x, k) => round(x - p50s[0]![k]!, 3)),
      medianP50AddedMs: median(p50s[1]!.map((x, k) => round(x - p50s[0]![k]!, 3))),
    }
    console.log(`server CPU per request, this / base: median ${summary.medianRatio.toFixed(3)} (rounds ${ratios.map((r) => r.toFixed(3)).join(', ')}); medians ${summary.this.median} vs ${summary.base.median} µs`)
    console.log(`p50 of this minus the base's: median ${summary.medianP50AddedMs.toFixed(3)} ms (rounds ${summary.p50AddedMs.map((d) => d.toFixed(3)).join(', ')})`)
    writeFileSync(join(root, 'bench', 'pair-results.json'), JSON.stringify(summary, null, 2) + '\n')
  } finally {
    await stopAllServers()
    if (!againstHpm) git('worktree', 'remove', '--force', baseDir)
  }
}

try {
  await main()
  process.exit(0)
} catch (err) {
  console.error(err instanceof BenchFailure ? `pair FAILED: ${err.message}` : err)
  process.exit(1)
}
