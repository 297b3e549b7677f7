import { afterAll, beforeAll, expect, test } from 'vitest'
import { ManualClock, startMock, type RunningMock } from 'haltless-mock'

// The client under test (a stand-in for yours): retries a 429 after its Retry-After.
async function getMachines(apiUrl: string, headers: Record<string, string>, wait: (ms: number) => void): Promise<Response> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const res = await fetch(`${apiUrl}/machines`, { headers })
    if (res.status !== 429) return res
    wait(Number(res.headers.get('retry-after')) * 1000)
  }
  throw new Error('still rate limited after 5 attempts')
}

const clock = new ManualClock() // the mock's time moves only when the test moves it
let mock: RunningMock
beforeAll(async () => void (mock = await startMock({ clock, seed: 42 })))
afterAll(() => mock.close())

test('backs off for the Retry-After of a 429 burst', async () => {
  const session = mock.session('backoff') // parallel tests each take their own session
  await session.activate('rate-limit-burst') // requests 2 to 4 get 429 with Retry-After: 1
  const headers = { ...session.headers, 'X-API-Key': mock.credentials.apiKey }
  for (let i = 0; i < 2; i++) expect((await getMachines(mock.apiUrl, headers, (ms) => clock.advance(ms))).status).toBe(200)
  expect((await session.journal()).map((e) => e.status)).toEqual([200, 429, 429, 429, 200])
  await session.assertWellBehaved() // throws, naming the journal entries, if the client misbehaved
})

test('a client that retries at once is caught', async () => {
  const session = mock.session('impatient')
  await session.activate('rate-limit-burst')
  const headers = { ...session.headers, 'X-API-Key': mock.credentials.apiKey }
  for (let i = 0; i < 2; i++) await getMachines(mock.apiUrl, headers, () => {}) // never waits
  const findings = await session.verify()
  expect(findings.map((f) => f.kind)).toEqual(['retried_before_retry_after', 'retried_before_retry_after', 'retried_before_retry_after'])
})
