import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { run, timeout } from './helpers.js'

describe('haltless-mock endpoints', () => {
  test('prints the Markdown table the README carries between its endpoint markers', async () => {
    const r = await run(['endpoints'])
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe('| Method | Path | Credential | Roles / scope | Success | Errors |')
    const readme = readFileSync('README.md', 'utf8')
    const block = /<!-- endpoints:start[^>]*-->\n([\s\S]*?)<!-- endpoints:end -->/.exec(readme)
    expect(block?.[1]).toBe(r.stdout)
  }, timeout)
})
