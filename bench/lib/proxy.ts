// The proxy section: GET /api/v1/machines straight from a bare node:http upstream, through plain
// http-proxy-middleware with a keep-alive agent (the floor for a Node proxy here), and through
// haltless-mock --mode proxy with the scenario engine on and drift detection on (the defaults).
// Each at --connections for throughput, and on one connection for the added latency.
import type { Child } from './children.js'
import { startServer } from './children.js'
import { BenchFailure, round, route } from './common.js'
import { measure, type LoadSettings, type Measurement } from './load.js'
import { activate, idleScenario } from './scenarios.js'

export interface ProxyResults {
  throughput: Measurement[]
  sequential: Measurement[]
  goals: { label: string; value: number; goal: string; met: boolean }[]
}

const names = { direct: 'upstream direct', hpm: 'http-proxy-middleware (keep-alive)', ours: 'haltless-mock proxy, engine on', noDrift: 'haltless-mock proxy, --no-drift' }

/** Measures the three targets; the upstream serves `bodyEnv`'s bytes. */
export async function proxySection(settings: LoadSettings, bodyEnv: Record<string, string>, profile: boolean): Promise<ProxyResults> {
  const upstream = await startServer('baseline', bodyEnv, profile)
  try {
    const env = { BENCH_UPSTREAM: upstream.url }
    const run = async (s: LoadSettings, suffix: string, withoutDrift: boolean) => {
      const direct = await measure(`${names.direct}${suffix}`, upstream, {}, s)
      const hpm = await startServer('hpm', env, profile)
      const viaHpm = await measured(hpm, `${names.hpm}${suffix}`, s)
      const ours = await startServer('proxy', env, profile)
      await activate(ours, idleScenario())
      const viaOurs = await measured(ours, `${names.ours}${suffix}`, s)
      if (!withoutDrift) return [direct, viaHpm, viaOurs]
      // the same without drift detection: what the default's sampled check costs
      const bare = await startServer('proxy', { ...env, BENCH_PROXY_DRIFT: 'off' }, profile)
      await activate(bare, idleScenario())
      return [direct, viaHpm, viaOurs, await measured(bare, `${names.noDrift}${suffix}`, s)]
    }
    const throughput = await run(settings, '', true)
    const sequential = await run({ ...settings, connections: 1 }, ', 1 connection', false)
    const [, hpm, ours, noDrift] = throughput
    const [seqDirect, , seqOurs] = sequential
    const keep = round(ours!.reqPerS / hpm!.reqPerS, 3)
    const keepNoDrift = round(noDrift!.reqPerS / hpm!.reqPerS, 3)
    const added = round(seqOurs!.p50Ms - seqDirect!.p50Ms, 3)
    return {
      throughput,
      sequential,
      goals: [
        { label: 'our proxy req/s vs plain http-proxy-middleware', value: keep, goal: '>= 0.90', met: keep >= 0.9 },
        { label: 'the same with --no-drift', value: keepNoDrift, goal: '>= 0.90', met: keepNoDrift >= 0.9 },
        { label: 'p50 added over direct, one connection (ms)', value: added, goal: '<= 0.25', met: added <= 0.25 },
      ],
    }
  } finally {
    await upstream.stop()
  }
}

/** A proxy child: checked to answer the upstream's 200, measured, stopped. */
async function measured(child: Child, name: string, s: LoadSettings): Promise<Measurement> {
  try {
    const res = await fetch(child.url + route)
    if (res.status !== 200) throw new BenchFailure(`${name}: GET ${route} answered ${res.status} ${await res.text()}`)
    await res.arrayBuffer()
    return await measure(name, child, {}, s)
  } finally {
    await child.stop()
  }
}

export function proxyGoalsText(r: ProxyResults): string {
  return ['proxy: goals', ...r.goals.map((g) => `  ${g.label.padEnd(50)} ${String(g.value).padStart(7)} (goal ${g.goal}) ${g.met ? 'met' : 'MISSED'}`)].join('\n')
}
