/**
 * fast-check arbitraries for the fuzzer: requests against every endpoint of the inventory
 * (test/api/endpoints.ts) with every method, path parameters filled with valid, foreign, created and
 * invalid ids, path tricks, odd query strings, headers and credentials, and bodies from a mutated
 * valid example to malformed, truncated, huge and deeply nested JSON; and the lower layer: request
 * lines, header names and values, framing and line endings that only a raw socket sends.
 * In every choice the plain option comes first, so a failing case shrinks towards a plain request.
 */
import fc from 'fast-check'
import { resources } from '../../src/api/index.js'
import { demoApiKey, demoId } from '../../src/store/demo.js'
import { endpointRows, idByPrefix, ids, type EndpointRow } from '../api/endpoints.js'
import type { Framing, FuzzRequest, Part } from './wire.js'

/** A JSON value as the fuzzer writes it: plain values, or `Raw` text emitted as is (NaN, 1e400, a megabyte). */
export class Raw {
  constructor(readonly parts: Part[]) {}
}
type Json = null | boolean | number | string | Raw | Json[] | { [key: string]: Json }

/** Writes `value` as JSON text; `Raw` leaves go out verbatim, lone surrogates as `\udXXX` escapes. */
export function jsonParts(value: Json): Part[] {
  if (value instanceof Raw) return value.parts
  if (Array.isArray(value)) return ['[', ...value.flatMap((v, i) => (i === 0 ? jsonParts(v) : [',', ...jsonParts(v)])), ']']
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
    return ['{', ...entries.flatMap(([k, v], i) => [i === 0 ? '' : ',', JSON.stringify(k), ':', ...jsonParts(v)]), '}']
  }
  return [JSON.stringify(value)]
}

const specs = resources.flatMap((r) => r.endpoints)
const keysOf = (schema: unknown): string[] => Object.keys((schema as { shape?: object } | undefined)?.shape ?? {})
const specOf = (row: EndpointRow) => specs.find((s) => s.method === row.method.toLowerCase() && s.path === row.path)

/** Globex's records: real ids of another tenant (answered as missing). */
const foreignIds = [demoId('machine:globex:GLX-001'), demoId('alert:globex:1'), demoId('work-order:globex:1'), demoId('part:globex:1')]
const demoMachine = ids.machine_id!

/** The demo id for `{name}` in `path` (`{id}` differs per resource). */
export function demoIdFor(path: string, name: string): string {
  const prefix = Object.keys(idByPrefix).find((p) => path.startsWith(`${p}/`))
  return name === 'id' && prefix ? idByPrefix[prefix]! : ids[name]!
}

// ---------------------------------------------------------------- odd values

const longText = (n: number, unit = 'x'): Raw => new Raw(['"', { repeat: unit, times: n }, '"'])
/** Strings a form field would rarely see: control characters, surrogates, bidi, combining marks, emoji. */
const oddString = fc.oneof(
  fc.constantFrom(
    'x', '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83d', '\ud83d\ude00', '\u202eevil', '\u200b', 'e\u0301', '👨‍👩‍👧',
    '\ufeff', '\u2028\u2029', '\t\n\r', 'null', 'NaN', '<script>alert(1)</script>', '%00', '../../etc/passwd', "'; DROP TABLE x;--",
    '\\', '"', '{{created}}x', 'é'.repeat(255), '😀'.repeat(200), 'x'.repeat(255), 'x'.repeat(256), 'W'.repeat(5000), ' '.repeat(300),
  ),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\u0085', '\ud800', '\udc00', 'a', '\u00ff', '\uffff'), maxLength: 300 }),
)
/** Dates, UUIDs, emails, URLs: values that look right to a human and may not to the API. */
const lookalike = fc.constantFrom(
  '2026-04-04T10:30:00Z', '2026-04-04', '2026-02-30', '2026-13-45', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-04-04T10:30:00+14:00',
  '2026-04-04T25:00:00Z', '2026-04-04 10:30', '1970-01-01T00:00:00Z', '2026-04-04T10:30:00.123456789Z', '+275760-09-13T00:00:00Z', '08:00', '24:00', '23:59',
  demoMachine, demoMachine.toUpperCase(), `urn:uuid:${demoMachine}`, demoMachine.replace(/-/g, ''), '00000000-0000-0000-0000-000000000000',
  'a@b', 'admin@acme.example', '@', 'x@y.z', 'https://x.example', 'http://', 'javascript:alert(1)', 'opc.tcp://plc:4840', 'https://erp.invalid',
  '#FFFFFF', '#GGGGGG', 'critical', 'completed', 'in_progress', 'admin', 'viewer', 'receive', 'consume', 'adjust', 'edge_agent', 'read_only',
)
/** Numbers at and past every edge, some only expressible as raw JSON text. */
const oddNumber = fc.oneof(
  fc.constantFrom<Json>(0, -1, 1, 1.5, 255, 256, 1e12, 1e12 + 1, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 31), 5e-324, 86_401, 1441, 10_001),
  fc.constantFrom<Json>(...['NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '-0', '1E5', '0.0000001', '1'.repeat(400)].map((t) => new Raw([t]))),
  fc.integer().map((n): Json => n),
  fc.double().map((n): Json => (Number.isFinite(n) ? n : new Raw([String(n)]))),
)
/** Big values: a megabyte string, a 100,000-item array, nesting at and past the 512-level limit. */
const bigValue = fc.oneof(
  fc.constantFrom<Json>(longText(1_000_000), longText(100_000, 'é'), longText(300_000, '\\u0000')),
  fc.integer({ min: 1, max: 100_000 }).map((n): Json => new Raw(['[', { repeat: '0,', times: n }, '0]'])),
  fc.constantFrom(511, 512, 513, 600, 100_000).chain((n) =>
    fc.constantFrom<Json>(new Raw([{ repeat: '[', times: n }, { repeat: ']', times: n }]), new Raw([{ repeat: '{"a":', times: n }, '1', { repeat: '}', times: n }]), new Raw([{ repeat: '[', times: n }, 'NaN', { repeat: ']', times: n }])),
  ),
)
const dangerousKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', '\u0000', 'id', 'tenant_id', 'is_admin')

/** Any odd JSON value (nested a little). */
export const oddValue: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Json>(null, true, false, [], {}),
    oddString,
    lookalike,
    oddNumber,
    { arbitrary: bigValue, weight: 1 },
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(dangerousKey, fc.string({ maxLength: 8 })), tie('v'), { maxKeys: 4 }),
  ),
})).v

// ---------------------------------------------------------------- bodies

type Path = (string | number)[]
/** Every path into `value` (two levels deep), to point a mutation at a field or an item. */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (prefix.length >= 3 || value === null || typeof value !== 'object') return out
  for (const [k, v] of Object.entries(value)) {
    const p = [...prefix, Array.isArray(value) ? Number(k) : k]
    out.push(p)
    pathsOf(v, p, out)
  }
  return out
}
const clone = <T>(v: T): T => structuredClone(v)
const valueAt = (root: unknown, path: Path): unknown => path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), root)
function setAt(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value
  const copy = clone(root) as Record<string | number, Json>
  let at = copy
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, Json>
  const last = path.at(-1)!
  if (value === undefined) {
    if (Array.isArray(at)) at.splice(Number(last), 1)
    else delete at[last]
  } else at[last] = value
  return copy as Json
}

/** Odd strings a 1..255-character field accepts: stored, listed, exported and rendered later in the case. */
const oddValidString = fc.oneof(oddString, fc.string({ unit: 'binary', minLength: 1, maxLength: 255 })).filter((t) => t.length >= 1 && t.length <= 255 && t.trim() !== '')

type Mutation = { op: 'set'; path: number; value: Json } | { op: 'text'; path: number; value: string } | { op: 'delete'; path: number } | { op: 'add'; key: string; value: Json }
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('set' as const), path: fc.nat(), value: oddValue }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('text' as const), path: fc.nat(), value: oddValidString }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), path: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('add' as const), key: fc.oneof(dangerousKey, fc.string({ maxLength: 12 })), value: oddValue }), weight: 1 },
)
function mutate(example: Json, m: Mutation, fields: string[]): Json {
  if (m.op === 'text') {
    // only where the example holds a string: a value the field's type accepts
    const texts = pathsOf(example).filter((p) => typeof valueAt(example, p) === 'string')
    return texts.length === 0 ? example : setAt(example, texts[m.path % texts.length]!, m.value)
  }
  const paths = [...pathsOf(example), ...fields.filter((f) => !(example && typeof example === 'object' && f in example)).map((f) => [f])]
  if (m.op === 'add' || paths.length === 0) {
    if (example === null || typeof example !== 'object' || Array.isArray(example) || example instanceof Raw) return example
    if (m.op !== 'add') return example
    // `__proto__` as an own key, as JSON.parse makes it
    const copy = clone(example) as Record<string, Json>
    Object.defineProperty(copy, m.key, { value: m.value, enumerable: true, writable: true, configurable: true })
    return copy
  }
  const path = paths[m.path % paths.length]!
  return setAt(example, path, m.op === 'set' ? m.value : undefined)
}

/** Damage to the text: cut it short, insert a stray character, a BOM, a comment, trailing data, bad UTF-8. */
type TextDamage = { kind: 'truncate'; at: number } | { kind: 'insert'; at: number; text: string } | { kind: 'wrap'; before: string; after: string } | { kind: 'bytes'; at: number; hex: string }
const textDamage: fc.Arbitrary<TextDamage> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom('{', '}', ',', ':', '"', '\\', '\u0000', '\u0001', '\n', 'NaN', '\ud800', ',,', '/*x*/', "'", 'nul') }),
  fc.record({ kind: fc.constant('wrap' as const), before: fc.constantFrom('', '\ufeff', ' \n\t', '[', 'x'), after: fc.constantFrom('', ' x', ',', '}', '\u0000', '{}') }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), hex: fc.constantFrom('ff', 'c3', 'eda080', 'f4908080', 'c0af', '00') }),
)
function damage(parts: Part[], d: TextDamage): Part[] {
  if (d.kind === 'wrap') return [d.before, ...parts, d.after]
  if (!parts.every((p) => typeof p === 'string')) return parts
  const text = parts.join('')
  const at = text.length === 0 ? 0 : d.at % text.length
  if (d.kind === 'truncate') return [text.slice(0, at)]
  if (d.kind === 'insert') return [text.slice(0, at), d.text, text.slice(at)]
  return [text.slice(0, at), { hex: d.hex }, text.slice(at)]
}

/** A body for `row`: its valid example (mutated or not), damaged text, another JSON type, or bytes. */
function bodyFor(row: EndpointRow | undefined): fc.Arbitrary<Part[] | null> {
  const example = (row?.body ?? null) as Json
  const fields = keysOf(row && specOf(row)?.body)
  const object = example === null ? fc.constant<Json>({}) : fc.array(mutation, { maxLength: 3 }).map((ms) => ms.reduce<Json>((b, m) => mutate(b, m, fields), example))
  const json = object.map(jsonParts)
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: json, weight: 8 },
    { arbitrary: fc.tuple(json, textDamage).map(([p, d]) => damage(p, d)), weight: 2 },
    { arbitrary: oddValue.map(jsonParts), weight: 1 },
    { arbitrary: fc.constantFrom<Part[]>([], ['null'], ['[]'], ['""'], ['{}'], ['{"a":1,"a":2}'], ['{"__proto__":{"is_admin":true},"x":NaN}']), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 200 }).map((b): Part[] => [{ hex: Buffer.from(b).toString('hex') }]), weight: 1 },
  )
}

// ---------------------------------------------------------------- paths and queries

/** A path parameter: the demo record, the last created one, another tenant's, a random UUID, or no UUID at all. */
const idFill = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant('demo'), weight: 6 },
  { arbitrary: fc.constant('{{created}}'), weight: 2 },
  { arbitrary: fc.constantFrom(...foreignIds), weight: 1 },
  { arbitrary: fc.uuid(), weight: 1 },
  {
    arbitrary: fc.oneof(
      fc.constantFrom(
        'not-a-uuid', '00000000-0000-0000-0000-00000000000', `urn:uuid:${demoMachine}`, demoMachine.toUpperCase(), demoMachine.replace(/-/g, ''),
        `{${demoMachine}}`, `${demoMachine}%20`, '0', '-1', 'null', 'undefined', '%2e%2e', '.%2e', '%00', '%ff', '%', '%zz', '%2F', 'a%2Fb', ';',
        '*', '~', '%C3%A9', '%F0%9F%98%80', '%ED%A0%80', `${demoMachine};x=1`, 'x'.repeat(300), 'predictions', 'bulk', 'low-stock',
      ),
      fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponentSafe),
      fc.integer({ min: 1_000, max: 20_000 }).map((n) => 'a'.repeat(n)),
    ),
    weight: 3,
  },
)

/** encodeURIComponent, but a lone surrogate becomes its (invalid) UTF-8 bytes instead of throwing. */
export function encodeURIComponentSafe(s: string): string {
  try {
    return encodeURIComponent(s)
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('')
  }
}

/** Structural tricks on the segments of a path; each keeps the route recognisable to a human. */
type Trick =
  | { kind: 'none' }
  | { kind: 'slash'; at: number; text: string }
  | { kind: 'trailing'; text: string }
  | { kind: 'encode'; at: number }
  | { kind: 'upper' }
  | { kind: 'long'; times: number }
  | { kind: 'backslash'; at: number }
const trick: fc.Arbitrary<Trick> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 12 },
  { arbitrary: fc.record({ kind: fc.constant('slash' as const), at: fc.nat(), text: fc.constantFrom('', '.', '..', '%2e', '%2e%2e', '.%2E', 'x/..', 'x/%2e%2e', '..;', '%2F', ';x') }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('trailing' as const), text: fc.constantFrom('/', '//', '/.', '/..', '?', '#frag', '%20', '%00', '/%2e/') }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('encode' as const), at: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'upper' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('long' as const), times: fc.constantFrom(100, 1_000, 3_000, 5_000) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('backslash' as const), at: fc.nat() }), weight: 1 },
)
function applyTrick(segments: string[], t: Trick): string {
  const at = (n: number) => 1 + (n % segments.length)
  switch (t.kind) {
    case 'none':
      return `/${segments.join('/')}`
    case 'slash': {
      const i = at(t.at)
      return `/${[...segments.slice(0, i), t.text, ...segments.slice(i)].join('/')}`
    }
    case 'trailing':
      return `/${segments.join('/')}${t.text}`
    case 'encode': {
      // percent-encode the letters of one literal segment (`%6Dachines`)
      const i = at(t.at) - 1
      return `/${segments.map((s, j) => (j === i ? s.replace(/[a-z]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`) : s)).join('/')}`
    }
    case 'upper':
      return `/${segments.join('/')}`.toUpperCase()
    case 'long':
      return `/${segments.join('/')}${'/a'.repeat(t.times)}`
    case 'backslash': {
      const i = at(t.at)
      return `/${segments.slice(0, i).join('/')}\\${segments.slice(i).join('/')}`
    }
  }
}

const queryValue = fc.oneof(
  fc.constantFrom('1', '0', '-1', '2', '100', '101', '1e3', '1.5', '99999999999999999999', 'NaN', 'true', 'false', 'maybe', '', 'asc', 'desc', 'name', 'zzz', 'critical', 'temperature'),
  lookalike.map(encodeURIComponent),
  oddString.map(encodeURIComponentSafe),
  fc.constantFrom('%zz', '%', '%00', '+', '%2B', '%26', '%3D', 'a%20b', '%E2%80%AE', 'x'.repeat(5_000)),
)
/** A query string for `row`: its own parameters and strangers, repeated, empty, malformed. */
function queryFor(row: EndpointRow): fc.Arbitrary<string | null> {
  const names = [...keysOf(specOf(row)?.query), 'page', 'page_size', 'x']
  const pairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.constantFrom('', '%zz', 'a[]', '__proto__', 'page[0]')), queryValue, fc.constantFrom('=', '', '==')), { minLength: 1, maxLength: 6 })
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant(row.query ?? null), weight: 4 },
    { arbitrary: pairs.map((ps) => ps.map(([k, v, eq]) => (eq === '' ? k : `${k}${eq}${v}`)).join('&')), weight: 4 },
    { arbitrary: fc.constantFrom('', '&', '&&=&', '=', '?', '#', 'a=1;b=2', `${'a=1&'.repeat(2_000)}b=2`), weight: 1 },
  )
}

// ---------------------------------------------------------------- headers and credentials

/** Logged-in users whose tokens the run holds (`{{jwt:<who>}}`). */
export const users = { admin: 'admin@acme.example', operator: 'operator@acme.example', viewer: 'viewer@acme.example', globex: 'admin@globex.example', initech: 'admin@initech.example' } as const
export type Who = keyof typeof users
/** Tenant of each `Who` and API key. */
export const tenantOf: Record<string, 'acme' | 'globex' | 'initech'> = { admin: 'acme', operator: 'acme', viewer: 'acme', globex: 'globex', initech: 'initech' }

type Header = [string, Part[]]
const h = (name: string, ...value: Part[]): Header => [name, value]

const roleOf = (row: EndpointRow): Who => (row.as === 'public' || row.as === 'key' ? 'viewer' : row.as)
/** The credential headers: the row's own, another role or tenant, a key, none, or garbage. */
function credentialsFor(row: EndpointRow): fc.Arbitrary<Header[]> {
  const own: Header[] = row.as === 'key' ? [h('X-API-Key', '{{key:acme}}')] : row.as === 'public' ? [] : [h('Authorization', `Bearer {{jwt:${row.as}}}`)]
  const who = fc.constantFrom<Who>(roleOf(row), 'admin', 'operator', 'viewer', 'globex', 'initech')
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant(own), weight: 8 },
    { arbitrary: who.map((w) => [h('Authorization', `Bearer {{jwt:${w}}}`)]), weight: 3 },
    { arbitrary: fc.constantFrom<Header[]>([], [h('X-API-Key', '{{key:acme}}')], [h('X-API-Key', '{{key:globex}}')], [h('Cookie', 'refresh_token={{refresh:admin}}')]), weight: 2 },
    { arbitrary: who.map((w) => [h('Authorization', `Bearer {{jwt:${w}}}`), h('X-API-Key', '{{key:acme}}')]), weight: 1 },
    {
      arbitrary: fc.oneof(
        fc.constantFrom<Header[]>(
          [h('Authorization', 'Bearer')], [h('Authorization', 'Bearer ')], [h('Authorization', 'Basic YWRtaW46cGFzcw==')], [h('Authorization', 'bearer {{jwt:admin}}')],
          [h('Authorization', 'Bearer {{jwt:admin}}x')], [h('Authorization', 'Bearer {{jwt:admin}} {{jwt:admin}}')], [h('Authorization', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')],
          [h('Authorization', 'Bearer a.b.c')], [h('Authorization', 'Bearer {{refresh:admin}}')], [h('Authorization', 'Bearer {{jwt:admin}}'), h('Authorization', 'Bearer {{jwt:viewer}}')],
          [h('X-API-Key', '')], [h('X-API-Key', 'hk_garbage')], [h('X-API-Key', ` ${demoApiKey} `)], [h('X-API-Key', '{{key:acme}}'), h('X-API-Key', 'hk_other')],
          [h('Cookie', 'refresh_token=')], [h('Cookie', 'refresh_token=x; refresh_token={{refresh:admin}}')],
        ),
        fc.string({ unit: 'binary-ascii', maxLength: 300 }).map((s) => [h('Authorization', `Bearer ${s.replace(/[\r\n]/g, '')}`)]),
        fc.string({ maxLength: 100 }).map((s) => [h('X-API-Key', s)]),
      ),
      weight: 2,
    },
  )
}

const contentTypeFor = (hasBody: boolean): fc.Arbitrary<Header[]> =>
  fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant<Header[]>(hasBody ? [h('Content-Type', 'application/json')] : []), weight: 10 },
    {
      arbitrary: fc.constantFrom<Header[]>(
        [], [h('Content-Type', 'text/plain')], [h('Content-Type', 'application/json; charset=utf-16')], [h('Content-Type', 'application/vnd.api+json')],
        [h('Content-Type', 'APPLICATION/JSON')], [h('Content-Type', 'multipart/form-data; boundary=x')], [h('Content-Type', 'application/x-www-form-urlencoded')],
        [h('Content-Type', '')], [h('Content-Type', ';;;')], [h('Content-Type', 'application/json'), h('Content-Type', 'text/plain')], [h('Content-Type', 'application/jsonx')],
      ),
      weight: 2,
    },
  )

/** Headers the API does not read, and those it must ignore (fault requests with header faults off). */
const noise: fc.Arbitrary<Header[]> = fc.array(
  fc.oneof(
    fc.constantFrom<Header>(
      h('X-Mock-Session', 'fuzz'), h('X-Mock-Session', ''), h('X-Mock-Session', 'é\u00ff'), h('X-Mock-Fault', 'reset'), h('X-Mock-Fault', 'http_error; status=500'),
      h('Prefer', 'code=500'), h('Origin', 'http://localhost:3000'), h('Origin', 'null'), h('Access-Control-Request-Method', 'DELETE'), h('Accept', 'text/html'),
      h('Accept-Encoding', 'gzip, br'), h('Connection', 'close'), h('Connection', 'keep-alive'), h('Expect', '100-continue'), h('X-Forwarded-For', '10.0.0.1, 1.2.3.4'),
      h('Cookie', ''), h('Range', 'bytes=0-10'), h('If-None-Match', '*'), h('Content-Encoding', 'gzip'), h('User-Agent', '\u00ff\u00fe'),
    ),
    fc.tuple(fc.constantFrom('X-Mock-Session', 'X-Custom', 'Accept', 'Origin', 'Cookie'), fc.string({ unit: 'grapheme', maxLength: 50 })).map(([n, v]) => h(n, v.replace(/[\r\n\u0000]/g, ''))),
  ),
  { maxLength: 3 },
)

/** What only a raw socket sends: broken lines, names and values, oversized and repeated headers. */
const lowLevel: fc.Arbitrary<Header[]> = fc.oneof(
  fc.constantFrom<Header[]>(
    [h('X Bad', '1')], [h('X\u0001', '1')], [h('', 'empty name')], [h('Ünï', 'x')], [h('X-A', 'a\rb')], [h('X-A', 'a\nX-Injected: 1')], [h('X-A', 'a\u0000b')],
    [h('X-A', 'folded'), h(' continued', 'x')], [h('Transfer-Encoding', 'gzip')], [h('Transfer-Encoding', 'chunked, identity')], [h('Expect', 'weird')],
    [h('Upgrade', 'websocket'), h('Connection', 'Upgrade')], [h('Upgrade', 'websocket'), h('Connection', 'Upgrade'), h('Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='), h('Sec-WebSocket-Version', '13')],
    [h('Upgrade', 'h2c'), h('Connection', 'Upgrade, HTTP2-Settings')], [h('Host', 'second.example')], [h('Content-Length', '-1')], [h('Content-Length', 'abc')],
  ),
  // near and over Node's 16 KB header limit
  fc.constantFrom(8_000, 15_500, 16_200, 16_500, 17_000, 40_000).map((n) => [h('X-Big', { repeat: 'a', times: n })]),
  fc.constantFrom(100, 1_000, 2_100).map((n) => Array.from({ length: n }, (_, i) => h(`X-H${i}`, 'v'))),
  fc.string({ unit: 'binary', maxLength: 40 }).map((v) => [h('X-Odd', v)]),
)

const host: fc.Arbitrary<Header[]> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant<Header[]>([h('Host', '127.0.0.1')]), weight: 40 },
  { arbitrary: fc.constantFrom<Header[]>([], [h('Host', 'localhost:4010')], [h('Host', 'a b')], [h('Host', 'évil')], [h('Host', '[::1]')], [h('Host', '')], [h('Host', 'x'.repeat(300))], [h('Host', 'example.com:99999')], [h('Host', 'a'), h('Host', 'b')]), weight: 1 },
)

// ---------------------------------------------------------------- a request

/** Every method: the documented five, HEAD and OPTIONS, WebDAV and other registered ones, and what Node refuses. */
export const oddMethods = ['HEAD', 'OPTIONS', 'PROPFIND', 'TRACE', 'CONNECT', 'MKCOL', 'PURGE', 'SEARCH', 'M-SEARCH', 'REPORT', 'LOCK', 'QUERY', 'get', 'FOO', 'GE T']
const standardMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

const framing: fc.Arbitrary<Framing> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant<Framing>({ kind: 'length' }), weight: 100 },
  { arbitrary: fc.boolean().map((terminated): Framing => ({ kind: 'chunked', terminated })), weight: 2 },
  { arbitrary: fc.constant<Framing>({ kind: 'none' }), weight: 1 },
  { arbitrary: fc.constantFrom(0, 1, 5, 100, 20_000_000).map((length): Framing => ({ kind: 'declared', length })), weight: 2 },
  { arbitrary: fc.constantFrom(0, 1, -1).map((delta): Framing => ({ kind: 'dupLength', delta })), weight: 1 },
  { arbitrary: fc.constant<Framing>({ kind: 'lengthAndChunked' }), weight: 1 },
)

/**
 * One request for a row of `rows` (or a random method on its path): its parameters, query,
 * credentials, body and headers; sometimes a path trick or a lower-level oddity on top.
 */
export const requestFor = (rows: fc.Arbitrary<EndpointRow>): fc.Arbitrary<FuzzRequest> => rows.chain((row) =>
  fc
    .record({
      method: fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(row.method), weight: 8 }, { arbitrary: fc.constantFrom(...standardMethods), weight: 2 }, { arbitrary: fc.constantFrom(...oddMethods), weight: 1 }),
      fills: fc.array(idFill, { minLength: 2, maxLength: 2 }),
      trick,
      absolute: fc.oneof({ arbitrary: fc.constant(''), weight: 60 }, { arbitrary: fc.constantFrom('http://127.0.0.1', 'http://example.com:1', '*', 'machines'), weight: 1 }),
      query: queryFor(row),
      credentials: credentialsFor(row),
      body: fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(row.body !== undefined), weight: 9 }, { arbitrary: fc.boolean(), weight: 1 }).chain((has) => (has ? bodyFor(row) : fc.constant(null))),
      contentType: fc.boolean(),
      noise,
      lowLevel: fc.oneof({ arbitrary: fc.constant<Header[]>([]), weight: 25 }, { arbitrary: lowLevel, weight: 1 }),
      host,
      framing,
      version: fc.oneof({ arbitrary: fc.constant('HTTP/1.1'), weight: 80 }, { arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/0.9', 'HTTX/1.1', ''), weight: 1 }),
      eol: fc.oneof({ arbitrary: fc.constant('\r\n'), weight: 120 }, { arbitrary: fc.constantFrom('\n', '\r'), weight: 1 }),
    })
    .chain((r) => contentTypeFor(r.body !== null).map((contentType) => ({ ...r, contentType })))
    .map((r): FuzzRequest => {
      let n = 0
      const segments = `api/v1${row.path}`.split('/').map((s) => {
        const m = /^\{(\w+)\}$/.exec(s)
        if (!m) return s
        const fill = r.fills[n++ % 2]!
        return fill === 'demo' ? demoIdFor(row.path, m[1]!) : fill
      })
      let target = applyTrick(segments, r.trick)
      if (r.query !== null) target += `?${r.query}`
      if (r.absolute === '*' || r.absolute === 'machines') target = r.absolute
      else target = r.absolute + target
      const headers = [...r.host, ...r.credentials, ...r.contentType, ...r.noise, ...r.lowLevel]
      return { method: r.method, target, version: r.version, headers, body: r.body, framing: r.body === null && r.framing.kind === 'length' ? { kind: 'none' } : r.framing, eol: r.eol }
    }),
)

/** One request for any row of the inventory. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = requestFor(fc.constantFrom(...endpointRows))

/** The inventory by resource (`/work-orders/...`, `/inventory/...`): a case mostly stays in one, so reads follow writes. */
const groups = [...new Set(endpointRows.map((r) => r.path.split('/')[1]!))].map((first) => endpointRows.filter((r) => r.path.split('/')[1] === first))

/** A case: requests against one state, one after the other or all at once. */
export interface FuzzCase {
  steps: FuzzRequest[]
  /** Sent all at once (their handlers interleave wherever they await), not in turn. */
  together: boolean
}

/**
 * A case: a few requests against the same state (created records, changed passwords), starting
 * from the demo data, mostly on one resource; later requests may name what an earlier one created
 * (`{{created}}`). One case in five sends them all at once.
 */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  steps: fc
    .constantFrom(...groups)
    .chain((group) => fc.array(requestFor(fc.oneof({ arbitrary: fc.constantFrom(...group), weight: 3 }, { arbitrary: fc.constantFrom(...endpointRows), weight: 1 })), { minLength: 1, maxLength: 5 })),
  together: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
})
