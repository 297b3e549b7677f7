/**
 * The store as one versioned JSON document (the state file's content) and back. Records are saved
 * as they are; values JSON has no form for (a Map inside a record, a non-finite number, a Date...)
 * are tagged objects with one `$` key. Indexes (users by email, API keys by secret) are rebuilt,
 * not saved.
 */
import { z } from 'zod'
import type { Clock } from '../clock.js'
import { Rng } from '../rng.js'
import type { ApiKey, AuditEntry, Machine, Reading, RefreshRecord, Tenant, User } from './records.js'
import { Store } from './store.js'
import type { Row } from './table.js'

/** The state-file format this version writes and reads. */
export const stateVersion = 1

const str = z.string('must be a string')
const owned = z.looseObject({ id: str, tenant_id: str })
const int32 = z.number('must be a 32-bit integer').int('must be a 32-bit integer').min(-(2 ** 31), 'must be a 32-bit integer').max(2 ** 31 - 1, 'must be a 32-bit integer')

/**
 * What a state file must hold: the envelope, and in each record the fields the store keys and
 * indexes it by (the rest of a record is the emulator's own and saved as it was).
 */
export const StateDocument = z.object({
  version: z.literal(stateVersion, `must be ${stateVersion} (the state-file version this haltless-mock reads)`),
  saved_at: str,
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  rng: z.array(int32).length(4, 'must be 4 integers (the id sequence\'s position)').refine((s) => s.some((x) => x !== 0), 'must not be all zeros'),
  store: z.object({
    tenants: z.array(z.looseObject({ id: str })),
    users: z.array(z.looseObject({ id: str, tenant_id: str, email: str })),
    machines: z.array(owned),
    api_keys: z.array(z.looseObject({ id: str, tenant_id: str, key: str })),
    refresh_tokens: z.array(z.looseObject({ jti: str })),
    blocklist: z.array(str),
    /** machine id → metric name → readings, oldest first */
    readings: z.record(str, z.record(str, z.array(z.looseObject({ metric_name: str, timestamp: z.number() })))),
    /** tenant id → audit entries, oldest first */
    audit: z.record(str, z.array(owned)),
    /** table name → rows, in insertion order */
    tables: z.record(str, z.array(owned)),
  }),
})
export type StateDocument = z.infer<typeof StateDocument>

/** The store and id sequence as a JSON-ready state document (sharing the store's plain records: stringify it before the store changes). */
export function snapshotOf(store: Store, rng: Rng, seed: number, savedAtMs: number): StateDocument {
  const list = <T>(values: Iterable<T>) => [...values].map(encode) as never[]
  return {
    version: stateVersion,
    saved_at: new Date(savedAtMs).toISOString(),
    seed,
    rng: rng.state(),
    store: {
      tenants: list(store.tenants.values()),
      users: list(store.users.values()),
      machines: list(store.machines.values()),
      api_keys: list(store.apiKeys.values()),
      refresh_tokens: list(store.refreshTokens.values()),
      blocklist: [...store.blocklist],
      readings: objectOf(store.readings.allSeries(), (byMetric) => objectOf(byMetric, list)),
      audit: objectOf(store.audit, list),
      tables: objectOf(store.allTables(), (table) => list(table.rows.values())),
    },
  }
}

/**
 * The store a validated state document describes, and its id sequence resumed where it was saved.
 * Throws BadValue for a malformed tagged value.
 */
export function restoreState(doc: StateDocument, clock: Clock): { store: Store; rng: Rng; seed: number } {
  const rng = Rng.resume(doc.seed, doc.rng)
  const store = new Store(clock, rng)
  const s = doc.store
  /** Each row of `rows` decoded, with `path` in front of a BadValue's path. */
  const decoded = <T>(path: (string | number)[], rows: unknown[]): T[] => {
    try {
      return decode(rows) as T[]
    } catch (err) {
      throw prefixed(err, ...path)
    }
  }
  for (const t of decoded<Tenant>(['tenants'], s.tenants)) store.addTenant(t)
  for (const u of decoded<User>(['users'], s.users)) store.addUser(u)
  for (const m of decoded<Machine>(['machines'], s.machines)) store.addMachine(m)
  for (const k of decoded<ApiKey>(['api_keys'], s.api_keys)) store.addApiKey(k)
  for (const r of decoded<RefreshRecord>(['refresh_tokens'], s.refresh_tokens)) store.refreshTokens.set(r.jti, r)
  for (const jti of s.blocklist) store.blocklist.add(jti)
  for (const [machineId, byMetric] of Object.entries(s.readings))
    for (const [metric, readings] of Object.entries(byMetric)) store.addReadings(machineId, decoded<Reading>(['readings', machineId, metric], readings))
  for (const [tenantId, entries] of Object.entries(s.audit)) store.audit.set(tenantId, decoded<AuditEntry>(['audit', tenantId], entries))
  for (const [name, rows] of Object.entries(s.tables)) {
    const table = store.table(name)
    for (const row of decoded<Row>(['tables', name], rows)) table.add(row)
  }
  return { store, rng, seed: doc.seed }
}

/** A tagged value a state file cannot hold; `path` leads to it from `store`. */
export class BadValue extends Error {
  readonly path: (string | number)[] = []
}

/** An object of `map`'s entries with `f` applied (own properties only, so `__proto__` is a plain key). */
function objectOf<V, R>(map: ReadonlyMap<string, V>, f: (v: V) => R): Record<string, R> {
  return Object.fromEntries([...map].map(([k, v]) => [k, f(v)]))
}

/** `err` with `path` in front of its path if it is a BadValue. */
function prefixed(err: unknown, ...path: (string | number)[]): unknown {
  if (err instanceof BadValue) err.path.unshift(...path)
  return err
}

/**
 * A value as JSON can hold it: plain data as it is (the same object when nothing in it needs a
 * tag, so saving does not copy every reading), anything else tagged (`{"$map": [[k, v]...]}`).
 */
export function encode(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) }
  if (v === undefined) return { $undefined: true }
  if (typeof v === 'bigint') return { $bigint: v.toString() }
  if (Array.isArray(v)) return mapSparingly(v, encode)
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [encode(k), encode(x)]) }
  if (v instanceof Set) return { $set: [...v].map(encode) }
  if (v instanceof Date) return { $date: encode(v.getTime()) }
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') }
  if (typeof v === 'object') {
    const out = mapValuesSparingly(v as Record<string, unknown>, encode)
    const keys = Object.keys(out)
    // a record's own object that looks like a tag (`{"$map": ...}` sent by a client) is wrapped
    return keys.length === 1 && keys[0]!.startsWith('$') ? { $obj: out } : out
  }
  throw new TypeError(`a ${typeof v} cannot be saved in a state file`)
}

/** `list` with `f` applied to each item: `list` itself when `f` changed none. */
function mapSparingly(list: unknown[], f: (x: unknown) => unknown): unknown[] {
  let out: unknown[] | undefined
  for (let i = 0; i < list.length; i++) {
    const x = list[i]
    let y: unknown
    try {
      y = f(x)
    } catch (err) {
      throw prefixed(err, i)
    }
    if (y !== x) out ??= list.slice(0, i)
    if (out) out.push(y)
  }
  return out ?? list
}

/** `obj` with `f` applied to each own value: `obj` itself when `f` changed none (`__proto__` stays a plain key). */
function mapValuesSparingly(obj: Record<string, unknown>, f: (x: unknown) => unknown): Record<string, unknown> {
  let out: Record<string, unknown> | undefined
  const keys = Object.keys(obj)
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    const x = obj[k]
    let y: unknown
    try {
      y = f(x)
    } catch (err) {
      throw prefixed(err, k)
    }
    if (y !== x && !out) {
      out = {}
      for (let j = 0; j < i; j++) define(out, keys[j]!, obj[keys[j]!])
    }
    if (out) define(out, k, y)
  }
  return out ?? obj
}

/** `obj[k] = v` as an own property, also for `__proto__`. */
function define(obj: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, writable: true, enumerable: true, configurable: true })
  else obj[k] = v
}

const nonFinite: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY }

/** The value `encode` made `v` from (parts without tags are `v`'s own objects); a malformed tag throws BadValue. */
export function decode(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return mapSparingly(v, decode)
  const keys = Object.keys(v)
  if (keys.length === 1 && keys[0]!.startsWith('$')) {
    try {
      return untag(keys[0]!, (v as Record<string, unknown>)[keys[0]!])
    } catch (err) {
      throw prefixed(err, keys[0]!)
    }
  }
  return mapValuesSparingly(v as Record<string, unknown>, decode)
}

/** The value of tag `tag` (`$map`...) with content `x`. */
function untag(tag: string, x: unknown): unknown {
  const bad = (expected: string): never => {
    throw new BadValue(`must be ${expected} (got ${JSON.stringify(x)})`)
  }
  switch (tag) {
    case '$map':
      if (!Array.isArray(x) || !x.every((p) => Array.isArray(p) && p.length === 2)) return bad('a list of [key, value] pairs')
      return new Map(decode(x) as [unknown, unknown][])
    case '$set':
      return Array.isArray(x) ? new Set(decode(x) as unknown[]) : bad('a list')
    case '$num':
      return typeof x === 'string' && Object.hasOwn(nonFinite, x) ? nonFinite[x] : bad('"NaN", "Infinity" or "-Infinity"')
    case '$date': {
      const ms = decode(x)
      return typeof ms === 'number' ? new Date(ms) : bad('epoch milliseconds')
    }
    case '$bytes':
      return typeof x === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(x) ? Buffer.from(x, 'base64') : bad('base64 text')
    case '$bigint':
      return typeof x === 'string' && /^-?\d+$/.test(x) ? BigInt(x) : bad('an integer as text')
    case '$undefined':
      return x === true ? undefined : bad('true')
    case '$obj':
      return typeof x === 'object' && x !== null && !Array.isArray(x) ? mapValuesSparingly(x as Record<string, unknown>, decode) : bad('an object')
    default:
      throw new BadValue('is not a known tag (expected one of $map, $set, $num, $date, $bytes, $bigint, $undefined, $obj)')
  }
}
