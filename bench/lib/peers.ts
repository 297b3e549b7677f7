// The peers section: other mock servers answering GET /api/v1/machines with the emulator's exact
// bytes, measured with the same load as every other row. Stoplight Prism mocks the route from the
// emulator's own OpenAPI document (the operation with the captured body as its example); WireMock
// standalone serves it from one JSON stub mapping, with its defaults and with the flags it documents
// for load tests. Each runs in a child process of its own (bench/lib/children.ts, startCommand); a
// peer that cannot run here is skipped with the reason, one that answers anything but the expected
// 200 and bytes fails its row (the rest of the run goes on, the exit code is 1).
import { spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { apiKey } from './checks.js'
import { startCommand, type Child } from './children.js'
import { BenchFailure, round, route } from './common.js'
import { measure, warmUntilSteady, type LoadSettings, type Measurement } from './load.js'

type Json = Record<string, unknown>

/** What the peers serve: the emulator's answer to GET <route> and its OpenAPI document. */
export interface PeerInput {
  body: Buffer
  contentType: string
  openApi: Json
}

export interface PeerGoal {
  label: string
  target: string
  reference: string
  /** Lowest acceptable req/s of `target` / req/s of `reference`. */
  goal: number
  /** Absent when the peer was skipped or failed. */
  ratio?: number
  met?: boolean
}

export interface PeerResults {
  rows: Measurement[]
  skipped: { peer: string; reason: string }[]
  failed: { peer: string; reason: string }[]
  /** Req/s of every unmeasured JIT warm-up run, per row and round. */
  jitWarmup: Record<string, number[][]>
  goals: PeerGoal[]
}

export const peerNames = { prism: 'Prism (mock, -v error)', wiremockDefaults: 'WireMock (defaults)', wiremockTuned: 'WireMock (tuned)' }

/** Every peer request carries the demo API key: Prism checks the operation's security, the WireMock stub matches the header. */
const headers = { 'X-API-Key': apiKey }

/** The emulator's OpenAPI document (`GET /__mock/openapi.json`), for Prism. */
export async function fetchOpenApi(child: Child): Promise<Json> {
  const res = await fetch(`${child.url}/__mock/openapi.json`)
  if (res.status !== 200) throw new BenchFailure(`GET /__mock/openapi.json: expected 200, got ${res.status}`)
  return (await res.json()) as Json
}

const require = createRequire(import.meta.url)

/** The directory of an installed package, or undefined. */
function packageDir(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`))
  } catch {
    return undefined
  }
}

/** A port nobody listens on right now (the peer gets it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}

/** Polls GET <route> until the server answers anything (any status), for at most `ms`. */
async function untilAnswering(name: string, proc: ChildProcess, url: string, ms = 60_000): Promise<string> {
  const deadline = performance.now() + ms
  for (;;) {
    try {
      const res = await fetch(url + route, { headers })
      await res.arrayBuffer()
      return url
    } catch {
      if (proc.exitCode !== null || proc.signalCode !== null) return url // startCommand reports the exit
      if (performance.now() > deadline) throw new BenchFailure(`${name}: no answer from ${url} within ${ms / 1000} s`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

/** One request like the load's: must be 200 with the emulator's content type and exactly its bytes. */
async function checkSameAnswer(name: string, child: Child, input: PeerInput): Promise<void> {
  const res = await fetch(child.url + route, { headers })
  const body = Buffer.from(await res.arrayBuffer())
  const what = `${name}: GET ${route}`
  if (res.status !== 200) throw new BenchFailure(`${what} answered ${res.status}, not 200: ${body.toString().slice(0, 300)}`)
  const type = res.headers.get('content-type')
  if (type?.toLowerCase() !== input.contentType.toLowerCase()) throw new BenchFailure(`${what}: Content-Type ${type}, the emulator's is ${input.contentType}`)
  if (!body.equals(input.body)) {
    const at = body.findIndex((b, i) => b !== input.body[i])
    throw new BenchFailure(`${what}: ${body.length} bytes that differ from the emulator's ${input.body.length} at byte ${at < 0 ? Math.min(body.length, input.body.length) : at}`)
  }
}

// --- Prism ---------------------------------------------------------------------------------------

/**
 * The emulator's OpenAPI document cut down to GET <route>: the operation as the emulator declares it
 * (query parameters, security: bearer token or X-API-Key, every response and schema), the path
 * written out in full (no `servers` base), and the captured body as the 200 example, which Prism
 * answers in its default static mode. The components stay, for the `$ref`s.
 */
export function prismDocument(input: PeerInput): Json {
  const doc = input.openApi as { openapi: string; info: Json; servers?: { url: string }[]; paths: Record<string, Record<string, Json>>; components?: Json }
  const base = doc.servers?.[0]?.url ?? ''
  const key = Object.keys(doc.paths).find((p) => base + p === route)
  const op = key === undefined ? undefined : (structuredClone(doc.paths[key]!.get) as { responses?: Record<string, { content?: Record<string, Json> }> } | undefined)
  if (!op) throw new BenchFailure(`the emulator's OpenAPI document has no GET ${route}`)
  const mediaType = input.contentType.split(';')[0]!.trim()
  const media = op.responses?.['200']?.content?.[mediaType]
  if (!media) throw new BenchFailure(`the emulator's OpenAPI document has no 200 ${mediaType} response for GET ${route}`)
  delete media.examples
  media.example = JSON.parse(input.body.toString('utf8'))
  return { openapi: doc.openapi, info: doc.info, paths: { [route]: { get: op } }, ...(doc.components ? { components: doc.components } : {}) }
}

function prismBin(): string | undefined {
  const dir = packageDir('@stoplight/prism-cli')
  if (!dir) return undefined
  const { bin } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin: string | Record<string, string> }
  return join(dir, typeof bin === 'string' ? bin : bin.prism!)
}

// --- WireMock ------------------------------------------------------------------------------------

function wiremockJar(): string | undefined {
  const dir = packageDir('wiremock')
  if (!dir) return undefined
  const jar = readdirSync(join(dir, 'build')).find((f) => /^wiremock-standalone-.+\.jar$/.test(f))
  return jar && join(dir, 'build', jar)
}

/** The stub: GET <route> with the demo API key → 200, the emulator's Content-Type and bytes. */
const wiremockMapping = (input: PeerInput): Json => ({
  request: { method: 'GET', url: route, headers: { 'X-API-Key': { equalTo: apiKey } } },
  response: { status: 200, headers: { 'Content-Type': input.contentType }, base64Body: input.body.toString('base64') },
})

/**
 * `--no-request-journal`: no record of every request kept for verification (it grows the heap on a
 * long run); `--disable-request-logging`: no request/response events to the notifier, "useful when
 * performance testing" in WireMock's own words.
 */
export const wiremockTunedFlags = ['--no-request-journal', '--disable-request-logging']

// --- the section ---------------------------------------------------------------------------------

interface Peer {
  name: string
  /** A JIT-compiling runtime: warmed until steady before the regular warm-up. */
  jit: boolean
  /** Why the peer cannot run here (skipped), or undefined. */
  unavailable: string | undefined
  /** Why it cannot be set up to answer as the emulator does (a failed row), or undefined. */
  failure?: string
  start(): Promise<Child>
}

export interface PeerOptions {
  rounds: number
  /** At most this many seconds of warm-up until steady for the JVM (0 = none). */
  jvmWarmup: number
}

/** Measures every peer that can run here, `rounds` times each (a fresh process every time; each row is the median round). */
export async function peersSection(settings: LoadSettings, input: PeerInput, { rounds, jvmWarmup }: PeerOptions): Promise<PeerResults> {
  const dir = mkdtempSync(join(tmpdir(), 'haltless-bench-peers-'))
  try {
    const peers = definePeers(dir, input)
    const results: PeerResults = { rows: [], skipped: [], failed: [], jitWarmup: {}, goals: [] }
    const runs = new Map<Peer, Measurement[]>()
    for (const p of peers) {
      if (p.unavailable) {
        console.log(`  ${p.name}: skipped: ${p.unavailable}`)
        results.skipped.push({ peer: p.name, reason: p.unavailable })
      } else if (p.failure) {
        console.log(`  FAILED: ${p.failure}`)
        results.failed.push({ peer: p.name, reason: p.failure })
      } else runs.set(p, [])
    }
    for (let i = 0; i < rounds; i++) {
      if (rounds > 1) console.log(`  peers, round ${i + 1} of ${rounds}`)
      for (const [p, ms] of runs) {
        let midLine = false // a progress line is open
        try {
          const child = await p.start()
          try {
            await checkSameAnswer(p.name, child, input)
            midLine = true
            if (p.jit && jvmWarmup > 0) {
              process.stdout.write(`  ${p.name}: JIT warm-up until steady (at most ${jvmWarmup}s) ... `)
              const rates = await warmUntilSteady(p.name, child, headers, settings.connections, jvmWarmup)
              console.log(`${rates.join(', ')} req/s per 2 s`)
              ;(results.jitWarmup[p.name] ??= []).push(rates)
            }
            ms.push(await measure(p.name, child, headers, settings))
          } finally {
            await child.stop()
          }
        } catch (err) {
          if (!(err instanceof BenchFailure)) throw err
          console.log(`${midLine ? '\n' : ''}  FAILED: ${err.message}`)
          results.failed.push({ peer: p.name, reason: err.message })
          runs.delete(p)
        }
      }
    }
    for (const ms of runs.values()) {
      const sorted = [...ms].sort((a, b) => a.reqPerS - b.reqPerS)
      const row = { ...sorted[(sorted.length - 1) >> 1]! }
      if (ms.length > 1) row.roundsReqPerS = ms.map((m) => m.reqPerS)
      results.rows.push(row)
    }
    return results
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function definePeers(dir: string, input: PeerInput): Peer[] {
  const peers: Peer[] = []

  const bin = prismBin()
  let spec: string | undefined
  let prismFailure: string | undefined
  if (bin) {
    try {
      spec = join(dir, 'prism-openapi.json')
      writeFileSync(spec, JSON.stringify(prismDocument(input)))
    } catch (err) {
      if (!(err instanceof BenchFailure)) throw err
      prismFailure = `${peerNames.prism}: ${err.message}`
    }
  }
  peers.push({
    name: peerNames.prism,
    jit: false,
    unavailable: bin ? undefined : '@stoplight/prism-cli is not installed (npm install)',
    failure: prismFailure,
    async start() {
      const port = await freePort()
      // Node, not npx: the child measured is Prism's own process. `-v error`: Prism logs every request's
      // negotiation at its default level (info); the mock itself is the same.
      return startCommand(peerNames.prism, process.execPath, [bin!, 'mock', spec!, '-h', '127.0.0.1', '-p', String(port), '-v', 'error'], {
        cwd: dir,
        ready: (proc) => untilAnswering(peerNames.prism, proc, `http://127.0.0.1:${port}`),
      })
    },
  })

  const jar = wiremockJar()
  const java = jar ? javaCheck() : undefined
  const wiremockUnavailable = !jar ? 'wiremock is not installed (npm install)' : typeof java === 'string' ? java : undefined
  const wiremockRoot = join(dir, 'wiremock')
  if (!wiremockUnavailable) {
    mkdirSync(join(wiremockRoot, 'mappings'), { recursive: true })
    mkdirSync(join(wiremockRoot, '__files'), { recursive: true })
    writeFileSync(join(wiremockRoot, 'mappings', 'machines.json'), JSON.stringify(wiremockMapping(input), null, 2))
  }
  const wiremock = (name: string, flags: string[]): Peer => ({
    name,
    jit: true,
    unavailable: wiremockUnavailable,
    start: () =>
      // --port 0: WireMock picks a free port and prints it (`port: <n>`) once started.
      startCommand(name, 'java', ['-jar', jar!, '--port', '0', '--bind-address', '127.0.0.1', '--root-dir', wiremockRoot, '--disable-banner', ...flags], {
        cwd: dir,
        async ready(proc, output) {
          const deadline = performance.now() + 60_000
          for (;;) {
            const port = /^port:\s+(\d+)\s*$/m.exec(output())?.[1]
            if (port) return untilAnswering(name, proc, `http://127.0.0.1:${port}`)
            if (performance.now() > deadline) throw new BenchFailure(`${name}: no "port:" line within 60 s; its output:\n${output().slice(-2000)}`)
            await new Promise((r) => setTimeout(r, 100))
          }
        },
      }),
  })
  peers.push(wiremock(peerNames.wiremockDefaults, []), wiremock(peerNames.wiremockTuned, wiremockTunedFlags))
  return peers
}

/** Java 11 or later on PATH (WireMock 3 needs it): its major version, or why it cannot run. */
function javaCheck(): number | string {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' })
  if (r.error) return (r.error as { code?: string }).code === 'ENOENT' ? 'java is not on PATH (WireMock standalone needs Java 11 or later)' : `java -version: ${r.error.message}`
  // `java -version` prints to stderr: openjdk version "17.0.15" 2025-04-15 (or "1.8.0_392" before Java 9)
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr + r.stdout)
  if (r.status !== 0 || !m) return `java -version failed (${r.status}): ${(r.stderr + r.stdout).trim().slice(0, 200)}`
  const major = m[1] === '1' ? Number(m[2]) : Number(m[1])
  return major >= 11 ? major : `java on PATH is Java ${major}; WireMock standalone 3 needs Java 11 or later`
}

/**
 * Sets each peer row's ratio to the baseline and the peers' goals: the emulator's req/s (`emulator`,
 * its headline row) at least 5× Prism's and 1.5× tuned WireMock's.
 */
export function settlePeers(r: PeerResults, baselineReqPerS: number, emulator: Measurement): void {
  for (const row of r.rows) row.ratioToBaseline = round(row.reqPerS / baselineReqPerS, 3)
  const goal = (target: string, g: number): PeerGoal => {
    const row = r.rows.find((m) => m.target === target)
    const base = { label: `${emulator.target} / ${target}`, target: emulator.target, reference: target, goal: g }
    if (!row) return base
    const ratio = round(emulator.reqPerS / row.reqPerS, 2)
    return { ...base, ratio, met: ratio >= g }
  }
  r.goals = [goal(peerNames.prism, 5), goal(peerNames.wiremockTuned, 1.5)]
}

/** The skipped and failed peers, then the goals, one line each. */
export function peersText(r: PeerResults): string {
  const why = (peer: string) => (r.skipped.some((s) => s.peer === peer) ? 'skipped' : r.failed.some((f) => f.peer === peer) ? 'FAILED' : 'no row')
  const width = Math.max(...r.goals.map((g) => g.label.length))
  return [
    'peers: req/s of the emulator / req/s of the peer (the goal is the lowest acceptable ratio)',
    ...r.skipped.map((s) => `  ${s.peer}: skipped: ${s.reason}`),
    ...r.failed.map((f) => `  FAILED: ${f.reason}`),
    ...r.goals.map(
      (g) => `  ${(g.label + ':').padEnd(width + 1)} ` + (g.ratio === undefined ? `not measured (${why(g.reference)})` : `${g.ratio.toFixed(2)} (goal ≥ ${g.goal.toFixed(2)}) ${g.met ? 'met' : 'MISSED'}`),
    ),
  ].join('\n')
}
