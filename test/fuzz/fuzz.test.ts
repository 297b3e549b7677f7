// The bounded slice of the fuzzer (npm run fuzz is the long run): generated requests against a live
// server, each case from the demo state. The seed is fixed, so a failure replays: the message names
// the seed and the path, and `npm run fuzz -- --seed <seed> --path <path>` shrinks and prints it.
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { fuzzCase } from './arbitraries.js'
import { createHarness } from './properties.js'

const seed = Number(process.env.FUZZ_SEED ?? 20260404)
const numRuns = Number(process.env.FUZZ_RUNS ?? 2000)
const t = useServer({ rateLimits: 'on' })

it(`answers ${numRuns} generated cases in the API's format, never a 5xx, lists consistent (seed ${seed})`, async () => {
  const harness = await createHarness(t.server, t.url, 10_000)
  await fc.assert(
    fc.asyncProperty(fuzzCase, (c) => harness.runCase(c)),
    { numRuns, seed, endOnFailure: true },
  )
  await harness.checkHealth()
  expect(harness.tally.cases).toBe(numRuns)
}, 120_000)
