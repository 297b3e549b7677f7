import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'

// The README's control-plane section promises a working curl line for every endpoint: these tests
// run each line (as fetch, same method, headers and body) and check the table has none without one.

const t = useServer()
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const block = /<!-- control-curl:start -->\n```sh\n([\s\S]*?)```\n<!-- control-curl:end -->/.exec(readme)?.[1] ?? ''

/** Shell words of one line: single-quoted strings kept whole, no other shell syntax expected. */
const words = (line: string) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!)

interface Example {
  line: string
  /** From a trailing `# → 503` comment; else any 2xx. */
  expected?: number
  method: string
  url: string
  headers: Record<string, string>
  body?: string
}

function parse(line: string): Example {
  const [command, comment] = line.split(/\s+# /)
  const [, ...args] = words(command!)
  const ex: Example = { line, method: 'GET', url: '', headers: {} }
  const expected = /→ (\d{3})/.exec(comment ?? '')
  if (expected) ex.expected = Number(expected[1])
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '-X') ex.method = args[++i]!
    else if (a === '-H') {
      const [name, ...value] = args[++i]!.split(':')
      ex.headers[name!] = value.join(':').trim()
    } else if (a === '-d') ex.body = args[++i]!
    else if (a === '-o' || a === '--max-time') i++
    else if (a === '-N') continue
    else ex.url = a
  }
  if (ex.body !== undefined && ex.method === 'GET') ex.method = 'POST'
  return ex
}

const examples = block.split('\n').filter((l) => l.startsWith('curl ')).map(parse)

describe('README: control-plane curl examples', () => {
  it('has one for every endpoint of the control-plane table', () => {
    const section = readme.slice(readme.indexOf('## Control plane'), readme.indexOf('<!-- control-curl:start -->'))
    const endpoints = [...section.matchAll(/`(GET|POST|PATCH|DELETE) (\/__mock[^`?\s]*)/g)].map((m) => [m[1]!, m[2]!] as const)
    expect(endpoints.length).toBeGreaterThan(20)
    const missing = endpoints.filter(([method, path]) => {
      const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`)
      return !examples.some((e) => e.method === method && pattern.test(new URL(e.url).pathname))
    })
    expect(missing).toEqual([])
  })

  it('every line answers 2xx (or its `# →` status) when run in order', async () => {
    const failures: string[] = []
    for (const ex of examples) {
      const res = await fetch(ex.url.replace('http://127.0.0.1:4010', t.url), { method: ex.method, headers: ex.headers, body: ex.body, redirect: 'manual' })
      const ok = ex.expected !== undefined ? res.status === ex.expected : res.status >= 200 && res.status <= 299
      if (!ok) failures.push(`${res.status} ${ex.line}`)
      // the event stream stays open: its headers are the answer
      if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel()
      else await res.arrayBuffer()
    }
    expect(failures).toEqual([])
    expect(examples.length).toBeGreaterThan(20)
  })
})
