import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { run, start, timeout, useTmpDir } from './helpers.js'
import { scenarioJsonSchema } from '../../src/faults/schema.js'

const tmp = useTmpDir()

describe('haltless-mock scenarios', () => {
  test('list prints every built-in scenario with its description', async () => {
    const r = await run(['scenarios', 'list'])
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(11)
    expect(lines.find((l) => l.startsWith('rate-limit-burst'))).toBe('rate-limit-burst          Requests 2 to 4 get 429 with Retry-After 1, then traffic recovers.')
  }, timeout)

  test('validate accepts the built-in files', async () => {
    const r = await run(['scenarios', 'validate', 'scenarios/rate-limit-burst.yaml', 'scenarios/outage-then-recover.yaml'])
    expect([r.code, r.stdout]).toEqual([0, '2 scenario files valid\n'])
  }, timeout)

  test('validate reports every problem with file, field path, expectation and value, and exits 2', async () => {
    const file = tmp.file('bad.yaml', 'name: bad\nrules:\n  - when: { every: 0 }\n    fault: { kind: latency, ms: 500000 }\n  - fault: { kind: nope }\n')
    const r = await run(['scenarios', 'validate', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      [
        `haltless-mock: ${file}: rules[0].when.every must be >= 1 (got 0)`,
        `${file}: rules[0].fault.ms must be <= 120000 (got 500000)`,
        `${file}: rules[1].fault.kind must be one of token_expired, token_invalid, token_revoked, user_inactive, api_key_revoked, forbidden, not_found, conflict, validation_error, rate_limited, payment_required, internal_error, service_unavailable, signoff_password_failed, partial_batch, latency, hang, reset, reset_after_commit, empty_reply, malformed_body, truncate, slow_body, respond, pass (got "nope")`,
        '',
      ].join('\n'),
    )
  }, timeout)

  test('schema prints the JSON Schema committed as scenarios/scenario.schema.json', async () => {
    const r = await run(['scenarios', 'schema'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(scenarioJsonSchema())
    expect(JSON.parse(readFileSync('scenarios/scenario.schema.json', 'utf8'))).toEqual(scenarioJsonSchema())
  }, timeout)

  test('every built-in file points editors at the schema', () => {
    for (const name of ['rate-limit-burst', 'token-expiry-mid-session', 'chaos-mix'])
      expect(readFileSync(`scenarios/${name}.yaml`, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./scenario.schema.json')
  })
})

describe('--scenario at start-up', () => {
  test('a bad scenario file exits 2 naming the file and the field', async () => {
    const file = tmp.file('bad-start.yaml', 'name: x\nrules:\n  - fault: { kind: rate_limited, retry_after_s: 0 }\n')
    const r = await run(['--port', '0', '--scenario', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${file}: rules[0].fault.retry_after_s must be >= 1 (got 0)\n`)
  }, timeout)

  test('an unknown name exits 2 listing the library', async () => {
    const r = await run(['--port', '0', '--scenario', 'nosuch'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^haltless-mock: --scenario nosuch: no such scenario \(built-in: chaos-mix, .*token-expiry-mid-session; or give a file path\)\n$/)
  }, timeout)

  test('a built-in name is active from the first request', async () => {
    const server = await start(['--port', '0', '--scenario', 'subscription-lapsed'])
    expect(server.banner.split('\n')[1]).toBe(`  control plane  ${server.url}/__mock/health   seed ${server.banner.match(/seed (\d+)/)![1]} (random)   rate limits on   scenarios subscription-lapsed`)
    const res = await fetch(`${server.url}/api/v1/machines`, { headers: { 'X-API-Key': 'hk_demoacme000000000000000000000000' } })
    expect(res.status).toBe(402)
    expect(res.headers.get('x-mock-rule')).toBe('subscription-lapsed/lapsed')
  }, timeout)
})
