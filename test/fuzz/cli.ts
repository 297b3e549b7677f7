/**
 * `npm run fuzz -- [--runs 100000] [--seed N] [--path P] [--max-seconds S]`: the long fuzz run
 * against a server of its own on an ephemeral port. Prints progress, the seed, the statuses seen,
 * and on failure the shrunk counterexample with a line that replays it; exits 1 on failure.
 * `npm run fuzz -- --replay '<request JSON>'` sends one printed request and shows the answer.
 */
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import { ManualClock } from '../../src/clock.js'
import { createMockServer } from '../../src/server.js'
import { fuzzCase } from './arbitraries.js'
import { createHarness, FuzzFailure } from './properties.js'
import { curlLine, describeRequest, replayArgument, send, serialize, type FuzzRequest } from './wire.js'

const usage = 'usage: npm run fuzz -- [--runs N] [--seed N] [--path P] [--max-seconds S] [--timeout-ms MS] | --replay JSON'
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    path: { type: 'string' },
    'max-seconds': { type: 'string' },
    'timeout-ms': { type: 'string', default: '10000' },
    replay: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) (console.log(usage), process.exit(0))
const int = (name: string, text: string | undefined, min: number): number | undefined => {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < min) (console.error(`fuzz: --${name} must be an integer >= ${min} (got ${JSON.stringify(text)})\n${usage}`), process.exit(2))
  return n
}
const runs = int('runs', values.runs, 1)!
const seed = int('seed', values.seed, -(2 ** 31)) ?? (Date.now() ^ (Math.random() * 2 ** 31)) | 0
const maxSeconds = int('max-seconds', values['max-seconds'], 1)
const timeoutMs = int('timeout-ms', values['timeout-ms'], 100)!

const server = createMockServer({ seed: 42, logLevel: 'silent', clock: new ManualClock() })
const url = await server.listen(0, '127.0.0.1')
const harness = await createHarness(server, url, timeoutMs)

if (values.replay !== undefined) {
  const req = JSON.parse(values.replay) as FuzzRequest
  const { bytes, halfClose } = serialize(req, harness.fill)
  const x = await send(Number(new URL(url).port), bytes, { halfClose, leftover: true, head: req.method === 'HEAD', timeoutMs })
  for (const r of x.responses) console.log(`${r.status}\n${r.headers.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${r.body.toString('utf8').slice(0, 2000)}\n`)
  console.log(`(connection ${x.ending} after ${Math.round(x.ms)} ms)`)
  await server.close()
  process.exit(0)
}

console.log(`fuzz: ${runs} cases, seed ${seed}${values.path ? `, path ${values.path}` : ''}, server ${url}`)
const started = performance.now()
let last = started
const progress = (force = false) => {
  const now = performance.now()
  if (!force && now - last < 5_000) return
  last = now
  const { cases, requests } = harness.tally
  console.log(`  ${cases} cases, ${requests} requests, ${((now - started) / 1000).toFixed(1)} s`)
}
const result = await fc.check(
  fc.asyncProperty(fuzzCase, async (c) => {
    await harness.runCase(c)
    progress()
  }),
  { numRuns: runs, seed, path: values.path, endOnFailure: false, ...(maxSeconds ? { interruptAfterTimeLimit: maxSeconds * 1000, markInterruptAsFailure: false } : {}) },
)
progress(true)
const seconds = (performance.now() - started) / 1000
const { statuses, cases, requests } = harness.tally
console.log(`statuses: ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`)
let failed = result.failed
if (failed) {
  const error = result.errorInstance
  console.log(`\nFAILED after ${result.numRuns} cases (shrunk ${result.numShrinks} times): seed ${result.seed}, path ${result.counterexamplePath}`)
  console.log(`replay: npm run fuzz -- --seed ${result.seed} --path ${result.counterexamplePath} --runs 1`)
  console.log(error instanceof FuzzFailure || error instanceof Error ? error.message : String(error))
  const request = error instanceof FuzzFailure ? error.request : undefined
  const { steps = [], together = false } = result.counterexample?.[0] ?? {}
  if (request) {
    const curl = curlLine(request, url.replace(/:\d+$/, ':4010'))
    console.log(`\nthe request (against \`npm start\`; JWT_ADMIN etc. from a login):\n  ${curl ?? '(curl cannot send it as is)'}`)
    console.log(`  npm run fuzz -- --replay ${replayArgument(request)}`)
  }
  if (steps.length > 1 || !request) {
    console.log(`\nthe case, from the demo state, ${together ? 'sent all at once' : 'in turn'}${request ? ' (the failing request is marked)' : ''}:`)
    for (const step of steps) console.log(`  ${step === request ? '>' : ' '} ${describeRequest(step)}`)
  }
} else {
  try {
    await harness.checkHealth()
  } catch (e) {
    failed = true
    console.log(`FAILED: ${(e as Error).message}`)
  }
}
console.log(`${failed ? 'failed' : 'passed'}: ${cases} cases (${requests} requests) in ${seconds.toFixed(1)} s, seed ${seed}${result.interrupted ? ' (stopped by --max-seconds)' : ''}`)
await server.close()
process.exit(failed ? 1 : 0)
