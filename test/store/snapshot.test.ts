// The state document: every piece of the store, and values JSON has no form for, round-trip.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { Rng } from '../../src/rng.js'
import { createMockServer } from '../../src/server.js'
import { demoId } from '../../src/store/demo.js'
import { BadValue, decode, encode, restoreState, snapshotOf, type StateDocument } from '../../src/store/snapshot.js'
import { Store } from '../../src/store/store.js'

/** The document as it goes through the file. */
const viaJson = (doc: StateDocument) => JSON.parse(JSON.stringify(doc)) as StateDocument

describe('snapshotOf / restoreState', () => {
  it('saves every field of the store, or rebuilds it (a new field must be added to the snapshot)', () => {
    const saved = ['tenants', 'users', 'machines', 'apiKeys', 'refreshTokens', 'blocklist', 'readings', 'audit', 'tables']
    const rebuilt = ['usersByEmail', 'apiKeysBySecret', 'deletedMachineIds']
    const given = ['clock', 'rng']
    expect(Object.keys(new Store(new ManualClock(), new Rng(1))).sort()).toEqual([...saved, ...rebuilt, ...given].sort())
  })

  it('restores the demo store to an equal snapshot, with indexes, Maps inside records and the id sequence', () => {
    const clock = new ManualClock()
    const { deps } = createMockServer({ seed: 42, logLevel: 'silent', clock })
    deps.store.blocklist.add('a-revoked-jti')
    for (let i = 0; i < 3; i++) deps.rng.uuid()
    const doc = snapshotOf(deps.store, deps.rng, 42, clock.now())

    const restored = restoreState(viaJson(doc), clock)
    expect(snapshotOf(restored.store, restored.rng, restored.seed, clock.now())).toEqual(doc)
    expect(restored.store.userByEmail('ADMIN@acme.example')?.id).toBe(demoId('user:admin@acme.example'))
    expect([...restored.store.apiKeysBySecret.keys()]).toEqual([...deps.store.apiKeysBySecret.keys()])
    expect(restored.store.table<{ id: string; tenant_id: string; mappings: unknown }>('tag_mappings').rows.get(demoId('machine:acme:CNC-001'))?.mappings).toBeInstanceOf(Map)
    expect(restored.store.readings.latest(demoId('machine:acme:CNC-001'))).toEqual(deps.store.readings.latest(demoId('machine:acme:CNC-001')))
    expect(restored.rng.uuid()).toBe(deps.rng.uuid())
  })
})

describe('encode / decode', () => {
  it.each([
    ['NaN and infinities', [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5]],
    ['a Map with any keys', new Map<unknown, unknown>([['a', 1], [2, { b: [3] }]])],
    ['a Set', new Set(['x', 'y'])],
    ['a Date', new Date(Date.UTC(2026, 3, 4))],
    ['bytes', Buffer.from([0, 1, 254, 255])],
    ['a bigint', 12345678901234567890n],
    ['undefined in an array and as a property', [undefined, { a: undefined }]],
    ['a client object that looks like a tag', { details: { $map: 'not a map' }, other: { $obj: 1 } }],
    ['nesting', { rows: [{ m: new Map([['k', new Set([new Date(0)])]]) }] }],
  ])('%s round-trips through JSON', (_, value) => {
    const back = decode(JSON.parse(JSON.stringify(encode(value))))
    expect(back).toStrictEqual(value)
  })

  it('keeps a __proto__ key a plain property', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}}') as object
    const back = decode(JSON.parse(JSON.stringify(encode(value)))) as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.hasOwn(back, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it.each([
    [{ a: [{ $num: 'many' }] }, ['a', 0, '$num'], 'must be "NaN", "Infinity" or "-Infinity" (got "many")'],
    [{ $map: [[1]] }, ['$map'], 'must be a list of [key, value] pairs (got [[1]])'],
    [{ $set: { $foo: 1 } }, ['$set'], 'must be a list (got {"$foo":1})'],
    [{ $map: [['k', { $what: 1 }]] }, ['$map', 0, 1, '$what'], 'is not a known tag (expected one of $map, $set, $num, $date, $bytes, $bigint, $undefined, $obj)'],
  ])('a malformed tag throws BadValue with its path: %j', (value, path, message) => {
    let err: unknown
    try {
      decode(value)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(BadValue)
    expect({ path: (err as BadValue).path, message: (err as BadValue).message }).toEqual({ path, message })
  })
})
