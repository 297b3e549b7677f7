import { z } from 'zod'
import type { Context } from 'hono'
import type { AppEnv } from '../context.js'
import { Resource } from '../endpoint.js'
import { jwtAnyRole as anyRole } from '../access.js'
import { validationError, found } from '../errors.js'
import { datetime, paginate, pagination, queryBool, uuidParam, pageOf } from '../validate.js'
import { acknowledgeAlert, isActive } from './alerting.js'
import { severities } from './alert-rules.js'
import { audit } from './audit.js'
import { isoSeconds, isoSecondsOrNull } from '../../clock.js'
import { demoId } from '../../store/demo.js'
import { defineTable } from '../../store/table.js'
import { alerts as alertTable } from '../../store/tables.js'
import type { Alert } from '../../store/records.js'
import type { Store } from '../../store/store.js'

/** A comment on an alert (only this router reads them). */
interface AlertComment {
  id: string
  tenant_id: string
  alert_id: string
  user_id: string | null
  body: string
  created_at: number
}
const comments = defineTable<AlertComment>('alert_comments')

/** Most alert ids one bulk acknowledge takes (reference gap choice: 1..100). */
const maxBulkIds = 100
/** Longest comment text (emulator choice). */
const maxCommentChars = 5000

const AlertQuery = z.object({
  ...pagination,
  machine_id: uuidParam.optional(),
  severity: z.enum(severities).optional(),
  is_acknowledged: queryBool.optional(),
  start_date: datetime.optional(),
  end_date: datetime.optional(),
})
const BulkAcknowledge = z.object({ alert_ids: z.array(uuidParam).min(1).max(maxBulkIds) })
const Snooze = z.object({ snooze_until: datetime })
const CommentIn = z.object({ body: z.string().min(1).max(maxCommentChars) })

const AlertOut = z.object({
  id: z.uuid(), machine_id: z.uuid(), severity: z.enum(severities), message: z.string(), metric_name: z.string(),
  metric_value: z.number(), threshold_value: z.number(), is_acknowledged: z.boolean(), acknowledged_by: z.uuid().nullable(),
  acknowledged_at: z.string().nullable(), snoozed_until: z.string().nullable(), created_at: z.string(),
})
const AlertPage = pageOf(AlertOut)
const StatsOut = z.object({ total_active: z.int(), critical_count: z.int(), warning_count: z.int(), info_count: z.int(), unacknowledged_count: z.int() })
const BulkOut = z.object({ acknowledged_count: z.int(), already_acknowledged_count: z.int() })
const CommentOut = z.object({ id: z.uuid(), alert_id: z.uuid(), user_id: z.uuid().nullable(), body: z.string(), created_at: z.string() })

// Every alert call is open to every role, acknowledging and snoozing included (reference section 3).


/** The alert object, exactly the reference's fields. */
export const presentAlert = (a: Alert) => ({
  id: a.id,
  machine_id: a.machine_id,
  severity: a.severity,
  message: a.message,
  metric_name: a.metric_name,
  metric_value: a.metric_value,
  threshold_value: a.threshold_value,
  is_acknowledged: a.is_acknowledged,
  acknowledged_by: a.acknowledged_by,
  acknowledged_at: isoSecondsOrNull(a.acknowledged_at),
  snoozed_until: isoSecondsOrNull(a.snoozed_until),
  created_at: isoSeconds(a.created_at),
})

const presentComment = (m: AlertComment) => ({ id: m.id, alert_id: m.alert_id, user_id: m.user_id, body: m.body, created_at: isoSeconds(m.created_at) })

/** `/alerts`: list, stats, acknowledge (one or bulk), snooze, comments (reference section 9). */
export const alertsResource = new Resource('/alerts', 'Alerts')
  // Literal paths before `/:alert_id`, as FastAPI's route order has them.
  .get('/', {
    summary: 'List alerts (newest first)', access: anyRole, query: AlertQuery, status: 200, response: AlertPage,
    handle(c, { query: q }) {
      const { store } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      // a deleted machine leaves lists, its alerts with it (emulator choice)
      const list = alertTable(store).of(tenantId, (a) =>
        store.machine(tenantId, a.machine_id) !== undefined &&
        (q.machine_id === undefined || a.machine_id === q.machine_id) &&
        (q.severity === undefined || a.severity === q.severity) &&
        (q.is_acknowledged === undefined || a.is_acknowledged === q.is_acknowledged) &&
        (q.start_date === undefined || a.created_at >= q.start_date) &&
        (q.end_date === undefined || a.created_at <= q.end_date))
      const page = paginate(newestFirst(list), q.page, q.page_size)
      return c.json({ ...page, items: page.items.map(presentAlert) })
    },
  })
  .get('/stats', {
    summary: 'Alert counts (active = unacknowledged and not snoozed)', access: anyRole, status: 200, response: StatsOut,
    handle(c) {
      const { store, clock } = c.get('deps')
      const now = clock.now()
      const tenantId = c.get('caller').tenant.id
      const open = alertTable(store).of(tenantId, (a) => !a.is_acknowledged && store.machine(tenantId, a.machine_id) !== undefined)
      const active = open.filter((a) => isActive(a, now))
      const count = (severity: Alert['severity']) => active.filter((a) => a.severity === severity).length
      return c.json({
        total_active: active.length, critical_count: count('critical'), warning_count: count('warning'),
        info_count: count('info'), unacknowledged_count: open.length,
      })
    },
  })
  .post('/bulk/acknowledge', {
    summary: 'Acknowledge many alerts (unknown ids skipped)', access: anyRole, body: BulkAcknowledge, status: 200, response: BulkOut,
    handle(c, { body }) {
      const deps = c.get('deps')
      const caller = c.get('caller')
      const table = alertTable(deps.store)
      let acknowledged = 0
      let already = 0
      for (const id of new Set(body.alert_ids)) {
        const alert = table.get(caller.tenant.id, id)
        if (!alert) continue
        if (acknowledgeAlert(deps, alert, userOf(c))) {
          acknowledged++
          audit(c, 'acknowledge_alert', 'alert', alert.id, { machine_id: alert.machine_id, bulk: true })
        } else already++
      }
      return c.json({ acknowledged_count: acknowledged, already_acknowledged_count: already })
    },
  })
  .get('/:alert_id', {
    summary: 'Get an alert', access: anyRole, status: 200, errors: ['alert_not_found'], response: AlertOut,
    handle(c, { params }) {
      return c.json(presentAlert(alertOf(c, params.alert_id)))
    },
  })
  .post('/:alert_id/acknowledge', {
    summary: 'Acknowledge an alert (again: no-op)', access: anyRole, status: 200, errors: ['alert_not_found'], response: AlertOut,
    handle(c, { params }) {
      const alert = alertOf(c, params.alert_id)
      if (acknowledgeAlert(c.get('deps'), alert, userOf(c))) audit(c, 'acknowledge_alert', 'alert', alert.id, { machine_id: alert.machine_id })
      return c.json(presentAlert(alert))
    },
  })
  .post('/:alert_id/snooze', {
    summary: 'Snooze an alert until a future time', access: anyRole, body: Snooze, status: 200, errors: ['alert_not_found'], response: AlertOut,
    handle(c, { params, body }) {
      // "In the future" needs the clock, so this part of validation runs here, still before the lookup.
      if (body.snooze_until <= c.get('deps').clock.now())
        throw validationError([{ loc: ['body', 'snooze_until'], msg: 'Value error, snooze_until must be in the future', type: 'value_error' }])
      const alert = alertOf(c, params.alert_id)
      alert.snoozed_until = body.snooze_until
      return c.json(presentAlert(alert))
    },
  })
  .get('/:alert_id/comments', {
    summary: "An alert's comments (oldest first)", access: anyRole, status: 200, errors: ['alert_not_found'], response: z.array(CommentOut),
    handle(c, { params }) {
      const alert = alertOf(c, params.alert_id)
      return c.json(comments(c.get('deps').store).of(alert.tenant_id, (m) => m.alert_id === alert.id).map(presentComment))
    },
  })
  .post('/:alert_id/comments', {
    summary: 'Comment on an alert', access: anyRole, body: CommentIn, status: 201, errors: ['alert_not_found'], response: CommentOut,
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const alert = alertOf(c, params.alert_id)
      const comment = comments(store).add({ id: store.id(), tenant_id: alert.tenant_id, alert_id: alert.id, user_id: userOf(c), body: body.body, created_at: clock.now() })
      return c.json(presentComment(comment), 201)
    },
  })
  .demo(seedAlerts)

function alertOf(c: Context<AppEnv>, id: string): Alert {
  return found(alertTable(c.get('deps').store).get(c.get('caller').tenant.id, id), 'alert_not_found')
}

const userOf = (c: Context<AppEnv>): string | null => {
  const caller = c.get('caller')
  return caller.kind === 'jwt' ? caller.user.id : null
}

/** Newest first; equal times keep the later-created first. */
const newestFirst = (list: Alert[]): Alert[] => list.map((a, i) => [a, i] as const).sort(([a, i], [b, j]) => b.created_at - a.created_at || j - i).map(([a]) => a)

/**
 * Demo alerts, consistent with the demo machine statuses: `alert:acme:1` open warning on CNC-002
 * (status `warning`), `alert:acme:2` acknowledged critical on PRESS-01, `alert:acme:3` snoozed info
 * on ROBOT-07, `alert:globex:1` open info on GLX-001; `alert-comment:acme:1` on the first.
 */
function seedAlerts(store: Store): void {
  const now = store.clock.now()
  const hour = 3_600_000
  const acme = demoId('tenant:acme')
  const table = alertTable(store)
  const base = { is_acknowledged: false, acknowledged_by: null, acknowledged_at: null, snoozed_until: null }
  table.add({
    ...base, id: demoId('alert:acme:1'), tenant_id: acme, machine_id: demoId('machine:acme:CNC-002'), rule_id: demoId('alert-rule:acme:2'),
    severity: 'warning', message: 'Vibration exceeded 7 mm/s threshold', metric_name: 'vibration', metric_value: 7.42, threshold_value: 7, created_at: now - 2 * hour,
  })
  table.add({
    ...base, id: demoId('alert:acme:2'), tenant_id: acme, machine_id: demoId('machine:acme:PRESS-01'), rule_id: demoId('alert-rule:acme:1'),
    severity: 'critical', message: 'Temperature exceeded 85°C threshold', metric_name: 'temperature', metric_value: 91.3, threshold_value: 85, created_at: now - 72 * hour,
    is_acknowledged: true, acknowledged_by: demoId('user:operator@acme.example'), acknowledged_at: now - 72 * hour + 20 * 60_000,
  })
  table.add({
    ...base, id: demoId('alert:acme:3'), tenant_id: acme, machine_id: demoId('machine:acme:ROBOT-07'), rule_id: null,
    severity: 'info', message: 'Weld current drifted above 210 A baseline', metric_name: 'weld_current', metric_value: 212.4, threshold_value: 210, created_at: now - 24 * hour,
    snoozed_until: now + 4 * hour,
  })
  table.add({
    ...base, id: demoId('alert:globex:1'), tenant_id: demoId('tenant:globex'), machine_id: demoId('machine:globex:GLX-001'), rule_id: null,
    severity: 'info', message: 'Spindle speed fell below 1200 rpm target', metric_name: 'spindle_speed', metric_value: 1150, threshold_value: 1200, created_at: now - 5 * hour,
  })
  comments(store).add({
    id: demoId('alert-comment:acme:1'), tenant_id: acme, alert_id: demoId('alert:acme:1'), user_id: demoId('user:operator@acme.example'),
    body: 'Checked the spindle bearings; inspection scheduled for the next shift.', created_at: now - 90 * 60_000,
  })
}
