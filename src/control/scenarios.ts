import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../api/context.js'
import { ApiError } from '../api/errors.js'
import { validate } from '../api/validate.js'
import { compileRule } from '../faults/compile.js'
import { compileInline } from '../faults/loader.js'
import { Fault, Match, Scenario } from '../faults/schema.js'
import type { Session } from '../faults/session.js'
import { kinds } from '../faults/kinds/index.js'

const SessionPath = z.object({ session: z.string().min(1).max(200) })
const Activate = z.union([
  z.object({ name: z.string().min(1), seed: z.number().int().min(0).max(2 ** 32 - 1).optional() }).strict(),
  z.object({ scenario: Scenario, seed: z.number().int().min(0).max(2 ** 32 - 1).optional() }).strict(),
])
const OneOff = z.object({ fault: Fault, match: Match.default({}), times: z.number().int().min(1).max(1_000_000).default(1) }).strict()

let oneOffIds = 0
let kindList: unknown[] | undefined

/** How a session looks from the control plane. */
function presentSession(s: Session, now: number) {
  return {
    session: s.name,
    seed: s.seed,
    scenarios: s.active.map((a) => ({
      name: a.scenario.name,
      elapsed_ms: now - a.startedAt,
      phase: a.scenario.phases.length ? (a.scenario.phases[a.phase]?.name ?? 'done') : null,
    })),
    one_off_faults: s.oneOffs.map((r) => ({ id: r.id, kind: r.kind.kind, remaining: (r.when.times ?? 1) - (s.counters.get(r.id)?.fires ?? 0) })),
    counters: s.countersView(),
  }
}

const engineOf = (c: Context<AppEnv>) => c.get('deps').engine
const now = (c: Context<AppEnv>) => c.get('deps').clock.now()

/** `/__mock` scenario routes: the library, and per-session activation, reset and one-off faults. */
export const scenarioControl = new Hono<AppEnv>()
  // the fault kinds with their options as JSON Schema (the dashboard's one-off fault form reads it)
  .get('/fault-kinds', (c) => c.json((kindList ??= kinds.map((k) => ({ kind: k.kind, description: k.description, options: z.toJSONSchema(k.options, { io: 'input', unrepresentable: 'any' }) })))))
  .get('/scenarios', (c) =>
    c.json([...engineOf(c).library.values()].map((s) => ({ name: s.name, description: s.description, source: s.source, global: engineOf(c).global.includes(s) }))),
  )
  .get('/sessions', (c) => c.json(engineOf(c).allSessions().map((s) => presentSession(s, now(c)))))
  .get('/sessions/:session', validate('param', SessionPath), (c) => c.json(presentSession(engineOf(c).session(c.req.valid('param').session), now(c))))
  .post('/sessions/:session/scenarios', validate('param', SessionPath), validate('json', Activate), (c) => {
    const engine = engineOf(c)
    const body = c.req.valid('json')
    const scenario = 'name' in body ? engine.library.get(body.name) : compileInline(body.scenario)
    if (!scenario) throw new ApiError({ status: 404, detail: `Scenario not found: ${'name' in body ? body.name : ''}` })
    const session = engine.session(c.req.valid('param').session)
    if (body.seed !== undefined) session.seed = body.seed
    session.activate(scenario, now(c))
    engine.refresh()
    return c.json(presentSession(session, now(c)), 201)
  })
  .delete('/sessions/:session/scenarios', validate('param', SessionPath), (c) => {
    const engine = engineOf(c)
    const session = engine.session(c.req.valid('param').session)
    const name = c.req.query('name')
    session.active = name ? session.active.filter((a) => a.scenario.name !== name) : []
    engine.refresh()
    return c.body(null, 204)
  })
  .post('/sessions/:session/reset', validate('param', SessionPath), (c) => {
    const engine = engineOf(c)
    const session = engine.session(c.req.valid('param').session)
    session.reset(now(c))
    c.get('deps').journal.clear(session.name)
    engine.refresh()
    return c.json(presentSession(session, now(c)))
  })
  .post('/sessions/:session/faults', validate('param', SessionPath), validate('json', OneOff), (c) => {
    const engine = engineOf(c)
    const { fault, match, times } = c.req.valid('json')
    const session = engine.session(c.req.valid('param').session)
    const rule = compileRule({ match, when: { times, per: 'session' }, fault }, `oneoff/${++oneOffIds}`)
    session.oneOffs.push(rule)
    engine.refresh()
    return c.json({ id: rule.id, session: session.name, kind: fault.kind, times }, 201)
  })
