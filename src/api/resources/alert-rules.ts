import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole as read, jwtOperate as write } from '../access.js'
import { ApiError, found } from '../errors.js'
import { paginate, pagination, queryBool, uuidParam, pageOf } from '../validate.js'
import { text255 } from './users-view.js'
import { audit } from './audit.js'
import { isoSeconds } from '../../clock.js'
import { demoId } from '../../store/demo.js'
import { alertRules as rulesTable } from '../../store/tables.js'
import type { AlertRule } from '../../store/records.js'
import type { Store } from '../../store/store.js'

export const severities = ['info', 'warning', 'critical'] as const
const operators = ['gt', 'gte', 'lt', 'lte', 'eq'] as const
/** Longest `duration_seconds` a rule may ask for: one day (emulator choice). */
const maxDurationSeconds = 86_400

const RuleCreate = z.object({
  name: text255,
  machine_id: uuidParam.nullish(),
  metric_name: text255,
  operator: z.enum(operators),
  threshold: z.number(),
  severity: z.enum(severities),
  duration_seconds: z.int().min(0).max(maxDurationSeconds).default(0),
  is_active: z.boolean().default(true),
})
const RuleUpdate = z.object({
  name: text255.optional(),
  machine_id: uuidParam.nullish(),
  metric_name: text255.optional(),
  operator: z.enum(operators).optional(),
  threshold: z.number().optional(),
  severity: z.enum(severities).optional(),
  duration_seconds: z.int().min(0).max(maxDurationSeconds).optional(),
  is_active: z.boolean().optional(),
})
const RuleQuery = z.object({
  ...pagination,
  machine_id: uuidParam.optional(),
  metric_name: z.string().max(255).optional(),
  is_active: queryBool.optional(),
})

const RuleOut = z.object({
  id: z.uuid(), tenant_id: z.uuid(), name: z.string(), machine_id: z.uuid().nullable(), metric_name: z.string(),
  operator: z.enum(operators), threshold: z.number(), severity: z.enum(severities), duration_seconds: z.int(),
  is_active: z.boolean(), created_at: z.string(), updated_at: z.string(),
})
const RulePage = pageOf(RuleOut)


/** The alert rule object (list items, 201, GET one, PATCH). */
export const presentRule = (r: AlertRule) => ({
  id: r.id,
  tenant_id: r.tenant_id,
  name: r.name,
  machine_id: r.machine_id,
  metric_name: r.metric_name,
  operator: r.operator,
  threshold: r.threshold,
  severity: r.severity,
  duration_seconds: r.duration_seconds,
  is_active: r.is_active,
  created_at: isoSeconds(r.created_at),
  updated_at: isoSeconds(r.updated_at),
})

/** `/alert-rules`: CRUD of the thresholds that ingestion evaluates (reference section 9, all gap choices). */
export const alertRulesResource = new Resource('/alert-rules', 'Alert rules')
  .get('/', {
    summary: 'List alert rules (oldest first)', access: read, query: RuleQuery, status: 200, response: RulePage,
    handle(c, { query: q }) {
      const list = rulesTable(c.get('deps').store).of(c.get('caller').tenant.id, (r) =>
        (q.machine_id === undefined || r.machine_id === q.machine_id) &&
        (q.metric_name === undefined || r.metric_name === q.metric_name) &&
        (q.is_active === undefined || r.is_active === q.is_active))
      const page = paginate(list, q.page, q.page_size)
      return c.json({ ...page, items: page.items.map(presentRule) })
    },
  })
  .post('/', {
    summary: 'Create an alert rule', access: write, body: RuleCreate, status: 201, errors: ['machine_not_found'], response: RuleOut,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const machineId = body.machine_id ?? null
      if (machineId !== null && !store.machine(tenantId, machineId)) throw new ApiError('machine_not_found')
      const now = clock.now()
      const rule = rulesTable(store).add({ id: store.id(), tenant_id: tenantId, ...body, machine_id: machineId, created_at: now, updated_at: now })
      audit(c, 'create_alert_rule', 'alert_rule', rule.id, { name: rule.name, metric_name: rule.metric_name, operator: rule.operator, threshold: rule.threshold, severity: rule.severity })
      return c.json(presentRule(rule), 201)
    },
  })
  .get('/:rule_id', {
    summary: 'Get an alert rule', access: read, status: 200, errors: ['alert_rule_not_found'], response: RuleOut,
    handle(c, { params }) {
      return c.json(presentRule(ruleOf(c.get('deps').store, c.get('caller').tenant.id, params.rule_id)))
    },
  })
  .patch('/:rule_id', {
    summary: 'Update an alert rule', access: write, body: RuleUpdate, status: 200, errors: ['alert_rule_not_found', 'machine_not_found'], response: RuleOut,
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const rule = ruleOf(store, tenantId, params.rule_id)
      if (body.machine_id && !store.machine(tenantId, body.machine_id)) throw new ApiError('machine_not_found')
      const changed = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined))
      Object.assign(rule, changed, { updated_at: clock.now() })
      return c.json(presentRule(rule))
    },
  })
  .delete('/:rule_id', {
    summary: 'Delete an alert rule (its alerts stay)', access: write, status: 204, errors: ['alert_rule_not_found'],
    handle(c, { params }) {
      const { store } = c.get('deps')
      const rule = ruleOf(store, c.get('caller').tenant.id, params.rule_id)
      rulesTable(store).delete(rule.id)
      return c.body(null, 204)
    },
  })
  .demo(seedRules)

function ruleOf(store: Store, tenantId: string, id: string): AlertRule {
  return found(rulesTable(store).get(tenantId, id), 'alert_rule_not_found')
}

/** Demo rules: Acme `alert-rule:acme:1..3`, Globex `alert-rule:globex:1` (README, demo data). */
function seedRules(store: Store): void {
  const createdAt = store.clock.now() - 30 * 86_400_000
  const rule = (label: string, tenant: string, r: Pick<AlertRule, 'name' | 'machine_id' | 'metric_name' | 'operator' | 'threshold' | 'severity' | 'duration_seconds' | 'is_active'>) =>
    rulesTable(store).add({ id: demoId(`alert-rule:${label}`), tenant_id: demoId(`tenant:${tenant}`), ...r, created_at: createdAt, updated_at: createdAt })
  rule('acme:1', 'acme', { name: 'High temperature', machine_id: null, metric_name: 'temperature', operator: 'gt', threshold: 85, severity: 'critical', duration_seconds: 0, is_active: true })
  rule('acme:2', 'acme', { name: 'High vibration', machine_id: null, metric_name: 'vibration', operator: 'gt', threshold: 7, severity: 'warning', duration_seconds: 0, is_active: true })
  rule('acme:3', 'acme', { name: 'Press hydraulic pressure low', machine_id: demoId('machine:acme:PRESS-01'), metric_name: 'pressure', operator: 'lt', threshold: 120, severity: 'warning', duration_seconds: 60, is_active: false })
  rule('globex:1', 'globex', { name: 'Lathe overheating', machine_id: null, metric_name: 'temperature', operator: 'gte', threshold: 90, severity: 'critical', duration_seconds: 0, is_active: true })
}
