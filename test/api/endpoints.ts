/**
 * Every method + path of the API reference (sections 2-19), with a role the reference allows, a
 * request that succeeds on the demo data, the documented success status, and the refusal the
 * reference documents for it. test/api/endpoints.test.ts runs each row against a fresh demo state;
 * test/control/openapi.test.ts checks the OpenAPI document lists exactly these.
 */
import { demoId } from '../../src/store/demo.js'

export type Who = 'admin' | 'operator' | 'viewer' | 'public' | 'key'

export interface EndpointRow {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** As the reference writes it, under /api/v1; `{…}` parameters are filled from `ids`. */
  path: string
  /** Who the success call is made as (`key` = the demo API key, all scopes). */
  as: Who
  status: number
  body?: unknown
  query?: string
  /** A role the reference refuses: answered 403 `Insufficient permissions.` */
  refused?: 'viewer' | 'operator'
}

const now = '2026-04-04T10:30:00Z'
const later = (hours: number) => new Date(Date.parse(now) + hours * 3600_000).toISOString().replace('.000Z', 'Z')

/** Path parameters: demo records of the Acme tenant. */
export const ids: Record<string, string> = {
  machine_id: demoId('machine:acme:CNC-001'),
  alert_id: demoId('alert:acme:1'),
  rule_id: demoId('alert-rule:acme:1'),
  event_id: demoId('maintenance:acme:1'),
  work_order_id: demoId('work-order:acme:1'),
  signoff_id: demoId('signoff:acme:1'),
  record_id: demoId('downtime:acme:ongoing'),
  part_id: demoId('part:acme:1'),
  category_id: demoId('category:acme:1'),
  wop_id: demoId('work-order-part:acme:1'),
  key_id: demoId('api-key:acme'),
  log_id: demoId('shift-log:acme:1'),
}
/** `{id}` differs per resource: the row's path prefix picks it. */
export const idByPrefix: Record<string, string> = {
  '/notification-channels': demoId('notification-channel:acme:1'),
  '/escalation-policies': demoId('escalation-policy:acme:1'),
  '/shifts/definitions': demoId('shift-definition:acme:1'),
  '/shifts/logs': demoId('shift-log:acme:1'),
  '/erp/connections': demoId('erp-connection:acme:1'),
}

const machine = ids.machine_id
export const endpointRows: EndpointRow[] = [
  // 2. authentication
  { method: 'POST', path: '/auth/register', as: 'public', status: 201, body: { email: 'new@example.com', password: 'Str0ng-Passw0rd!', full_name: 'New Admin', tenant_name: 'New Co' } },
  { method: 'POST', path: '/auth/login', as: 'public', status: 200, body: { email: 'viewer@acme.example', password: 'Haltless-Demo-1' } },
  { method: 'POST', path: '/auth/refresh', as: 'public', status: 200 },
  { method: 'GET', path: '/auth/me', as: 'viewer', status: 200 },
  { method: 'POST', path: '/auth/logout', as: 'viewer', status: 204 },
  { method: 'POST', path: '/auth/mfa/setup', as: 'viewer', status: 200 },
  { method: 'POST', path: '/auth/mfa/verify-setup', as: 'viewer', status: 200 },
  { method: 'POST', path: '/auth/mfa/verify', as: 'viewer', status: 200 },
  // 6. machines
  { method: 'POST', path: '/machines', as: 'operator', status: 201, body: { name: 'Lathe', machine_identifier: 'LATHE-9', protocol: 'json' }, refused: 'viewer' },
  { method: 'GET', path: '/machines', as: 'viewer', status: 200 },
  { method: 'GET', path: '/machines/{machine_id}', as: 'viewer', status: 200 },
  { method: 'PATCH', path: '/machines/{machine_id}', as: 'operator', status: 200, body: { location: 'Hall 2' }, refused: 'viewer' },
  { method: 'DELETE', path: '/machines/{machine_id}', as: 'operator', status: 204, refused: 'viewer' },
  // 7. predictions and anomalies
  { method: 'GET', path: '/machines/predictions/fleet', as: 'viewer', status: 200 },
  { method: 'GET', path: '/machines/{machine_id}/prediction', as: 'viewer', status: 200 },
  { method: 'GET', path: '/machines/{machine_id}/prediction/narrative', as: 'viewer', status: 200 },
  { method: 'GET', path: '/machines/{machine_id}/prediction/history', as: 'viewer', status: 200, query: 'days=7' },
  { method: 'GET', path: '/machines/{machine_id}/anomalies/summary', as: 'viewer', status: 200 },
  // 8. sensor data
  { method: 'POST', path: '/ingest', as: 'key', status: 207, body: { readings: [{ machine_identifier: 'CNC-001', timestamp: now, metric_name: 'temperature', value: 70, unit: 'celsius' }] } },
  { method: 'GET', path: '/machines/{machine_id}/readings/latest', as: 'viewer', status: 200 },
  { method: 'GET', path: '/machines/{machine_id}/readings', as: 'viewer', status: 200 },
  { method: 'POST', path: '/sensor-data/tag-mappings', as: 'operator', status: 201, body: { machine_id: machine, mappings: [{ tag: 'ns=2;s=Temperature', metric_name: 'temperature', unit: 'celsius' }] }, refused: 'viewer' },
  // 9. alerts and alert rules
  { method: 'GET', path: '/alerts', as: 'viewer', status: 200 },
  { method: 'GET', path: '/alerts/stats', as: 'viewer', status: 200 },
  { method: 'GET', path: '/alerts/{alert_id}', as: 'viewer', status: 200 },
  { method: 'POST', path: '/alerts/{alert_id}/acknowledge', as: 'viewer', status: 200 },
  { method: 'POST', path: '/alerts/bulk/acknowledge', as: 'viewer', status: 200, body: { alert_ids: [ids.alert_id] } },
  { method: 'POST', path: '/alerts/{alert_id}/snooze', as: 'viewer', status: 200, body: { snooze_until: later(2) } },
  { method: 'GET', path: '/alerts/{alert_id}/comments', as: 'viewer', status: 200 },
  { method: 'POST', path: '/alerts/{alert_id}/comments', as: 'viewer', status: 201, body: { body: 'Checked the coolant.' } },
  { method: 'GET', path: '/alert-rules', as: 'viewer', status: 200 },
  { method: 'POST', path: '/alert-rules', as: 'operator', status: 201, body: { name: 'Hot', machine_id: machine, metric_name: 'temperature', operator: 'gt', threshold: 90, severity: 'critical' }, refused: 'viewer' },
  { method: 'GET', path: '/alert-rules/{rule_id}', as: 'viewer', status: 200 },
  { method: 'PATCH', path: '/alert-rules/{rule_id}', as: 'operator', status: 200, body: { threshold: 95 }, refused: 'viewer' },
  { method: 'DELETE', path: '/alert-rules/{rule_id}', as: 'operator', status: 204, refused: 'viewer' },
  // 10. maintenance events
  { method: 'POST', path: '/maintenance', as: 'operator', status: 201, body: { machine_id: machine, title: 'Spindle check', scheduled_start: later(24), scheduled_end: later(26), type: 'preventive' }, refused: 'viewer' },
  { method: 'GET', path: '/maintenance', as: 'viewer', status: 200 },
  { method: 'GET', path: '/maintenance/{event_id}', as: 'viewer', status: 200 },
  { method: 'PUT', path: '/maintenance/{event_id}', as: 'operator', status: 200, body: { machine_id: machine, title: 'Spindle check (moved)', scheduled_start: later(48), scheduled_end: later(50), type: 'preventive' }, refused: 'viewer' },
  { method: 'DELETE', path: '/maintenance/{event_id}', as: 'operator', status: 204, refused: 'viewer' },
  // 11. work orders and sign-off
  { method: 'POST', path: '/work-orders', as: 'operator', status: 201, body: { machine_id: machine, title: 'Replace belt', description: 'Worn drive belt', priority: 'high' }, refused: 'viewer' },
  { method: 'GET', path: '/work-orders', as: 'viewer', status: 200 },
  { method: 'GET', path: '/work-orders/{work_order_id}', as: 'viewer', status: 200 },
  { method: 'PATCH', path: '/work-orders/{work_order_id}', as: 'operator', status: 200, body: { title: 'Replace belt and pulley' }, refused: 'viewer' },
  { method: 'DELETE', path: '/work-orders/{work_order_id}', as: 'operator', status: 204, refused: 'viewer' },
  { method: 'GET', path: '/work-orders/{work_order_id}/comments', as: 'viewer', status: 200 },
  { method: 'POST', path: '/work-orders/{work_order_id}/comments', as: 'viewer', status: 201, body: { body: 'Parts ordered.' } },
  { method: 'POST', path: '/work-orders/{work_order_id}/signoffs', as: 'operator', status: 201, body: { password: 'Haltless-Demo-1' }, refused: 'viewer' },
  { method: 'GET', path: '/work-orders/{work_order_id}/signoffs', as: 'viewer', status: 200 },
  { method: 'GET', path: '/work-orders/{work_order_id}/signoffs/{signoff_id}/verify', as: 'viewer', status: 200 },
  { method: 'GET', path: '/work-orders/{work_order_id}/certificate', as: 'viewer', status: 200 },
  // 12. downtime, reason codes, fleet reliability
  { method: 'POST', path: '/machines/{machine_id}/downtime', as: 'operator', status: 201, body: { reason: 'Tool change', category: 'changeover', started_at: now }, refused: 'viewer' },
  { method: 'GET', path: '/machines/{machine_id}/downtime', as: 'viewer', status: 200 },
  { method: 'PUT', path: '/machines/{machine_id}/downtime/{record_id}', as: 'operator', status: 200, body: { reason: 'Bearing failure', category: 'unplanned', started_at: later(-1) }, refused: 'viewer' },
  { method: 'POST', path: '/machines/{machine_id}/downtime/{record_id}/end', as: 'operator', status: 200, refused: 'viewer' },
  { method: 'GET', path: '/machines/{machine_id}/uptime-summary', as: 'viewer', status: 200 },
  { method: 'GET', path: '/machines/{machine_id}/mttr-mtbf', as: 'viewer', status: 200 },
  { method: 'GET', path: '/fleet/downtime', as: 'viewer', status: 200 },
  { method: 'GET', path: '/fleet/mttr-mtbf', as: 'viewer', status: 200 },
  { method: 'GET', path: '/reason-codes', as: 'viewer', status: 200 },
  // 13. OEE and shifts
  { method: 'POST', path: '/oee/records', as: 'operator', status: 201, body: { machine_id: machine, date: '2026-04-04', availability: 90, performance: 95, quality: 99, planned_production_time_minutes: 480, actual_run_time_minutes: 432, total_pieces: 1000, good_pieces: 990 }, refused: 'viewer' },
  { method: 'GET', path: '/oee/records', as: 'viewer', status: 200, query: `machine_id=${machine}` },
  { method: 'GET', path: '/oee/summary', as: 'viewer', status: 200, query: `machine_id=${machine}` },
  { method: 'GET', path: '/shifts/definitions', as: 'viewer', status: 200 },
  { method: 'POST', path: '/shifts/definitions', as: 'admin', status: 201, body: { name: 'Weekend', start_time: '08:00', end_time: '16:00', color: '#10B981', is_active: true }, refused: 'operator' },
  { method: 'PUT', path: '/shifts/definitions/{id}', as: 'admin', status: 200, body: { name: 'Early', start_time: '05:30', end_time: '13:30', color: '#3B82F6', is_active: true }, refused: 'operator' },
  { method: 'DELETE', path: '/shifts/definitions/{id}', as: 'admin', status: 204, refused: 'operator' },
  { method: 'GET', path: '/shifts/logs', as: 'viewer', status: 200 },
  { method: 'POST', path: '/shifts/logs', as: 'operator', status: 201, body: { shift_definition_id: demoId('shift-definition:acme:1'), machine_id: machine, supervisor_name: 'Dana Reyes', notes: 'Smooth start' }, refused: 'viewer' },
  { method: 'PATCH', path: '/shifts/logs/{id}', as: 'operator', status: 200, body: { notes: 'Handed over to Late' }, refused: 'viewer' },
  { method: 'DELETE', path: '/shifts/logs/{id}', as: 'operator', status: 204, refused: 'viewer' },
  { method: 'GET', path: '/shifts/logs/{log_id}/handover', as: 'viewer', status: 200 },
  { method: 'GET', path: '/shifts/comparison', as: 'viewer', status: 200 },
  { method: 'GET', path: '/shifts/active', as: 'viewer', status: 200 },
  // 14. spare parts inventory
  { method: 'GET', path: '/inventory/parts', as: 'viewer', status: 200 },
  { method: 'POST', path: '/inventory/parts', as: 'operator', status: 201, body: { part_number: 'BRG-6205', name: 'Ball bearing 6205', quantity_on_hand: 10, reorder_point: 4, reorder_quantity: 20, unit_cost: 7.5, unit: 'pcs' }, refused: 'viewer' },
  { method: 'GET', path: '/inventory/parts/low-stock', as: 'viewer', status: 200 },
  { method: 'GET', path: '/inventory/parts/{part_id}', as: 'viewer', status: 200 },
  { method: 'PATCH', path: '/inventory/parts/{part_id}', as: 'operator', status: 200, body: { location: 'Shelf B2' }, refused: 'viewer' },
  { method: 'DELETE', path: '/inventory/parts/{part_id}', as: 'operator', status: 204, refused: 'viewer' },
  { method: 'GET', path: '/inventory/parts/{part_id}/transactions', as: 'viewer', status: 200 },
  { method: 'POST', path: '/inventory/parts/{part_id}/transactions', as: 'operator', status: 201, body: { type: 'receive', quantity: 5, notes: 'Delivery 4711' }, refused: 'viewer' },
  { method: 'GET', path: '/inventory/categories', as: 'viewer', status: 200 },
  { method: 'POST', path: '/inventory/categories', as: 'operator', status: 201, body: { name: 'Seals' }, refused: 'viewer' },
  { method: 'DELETE', path: '/inventory/categories/{category_id}', as: 'operator', status: 204, refused: 'viewer' },
  { method: 'GET', path: '/inventory/work-orders/{work_order_id}/parts', as: 'viewer', status: 200 },
  { method: 'POST', path: '/inventory/work-orders/{work_order_id}/parts', as: 'operator', status: 201, body: { spare_part_id: ids.part_id, quantity: 1 }, refused: 'viewer' },
  { method: 'DELETE', path: '/inventory/work-orders/{work_order_id}/parts/{wop_id}', as: 'operator', status: 204, refused: 'viewer' },
  // 15. notification channels, escalation, push
  { method: 'GET', path: '/notification-channels', as: 'viewer', status: 200 },
  { method: 'POST', path: '/notification-channels', as: 'operator', status: 201, body: { name: 'Ops mail', type: 'email', config: { email: 'ops@acme.example' }, is_active: true }, refused: 'viewer' },
  { method: 'PUT', path: '/notification-channels/{id}', as: 'operator', status: 200, body: { name: 'Maintenance mail', type: 'email', config: { email: 'maint@acme.example' }, is_active: true }, refused: 'viewer' },
  { method: 'DELETE', path: '/notification-channels/{id}', as: 'operator', status: 204, refused: 'viewer' },
  { method: 'POST', path: '/notification-channels/{id}/test', as: 'operator', status: 200, refused: 'viewer' },
  { method: 'GET', path: '/escalation-policies', as: 'viewer', status: 200 },
  { method: 'POST', path: '/escalation-policies', as: 'admin', status: 201, body: { name: 'Critical after 15 min', severity: 'critical', wait_minutes: 15, channel_id: demoId('notification-channel:acme:1'), is_active: true }, refused: 'operator' },
  { method: 'PUT', path: '/escalation-policies/{id}', as: 'admin', status: 200, body: { name: 'Critical after 10 min', severity: 'critical', wait_minutes: 10, channel_id: demoId('notification-channel:acme:1'), is_active: true }, refused: 'operator' },
  { method: 'DELETE', path: '/escalation-policies/{id}', as: 'admin', status: 204, refused: 'operator' },
  { method: 'GET', path: '/push/vapid-public-key', as: 'viewer', status: 200 },
  { method: 'POST', path: '/push/subscribe', as: 'viewer', status: 201, body: { endpoint: 'https://push.example.com/sub/1', keys: { p256dh: 'BPcMbnWQL5GOYX', auth: 'k8JV6sjdbhAi' } } },
  { method: 'DELETE', path: '/push/subscribe', as: 'viewer', status: 204, body: { endpoint: 'https://push.example.com/sub/1' } },
  // 16. settings, API keys, users
  { method: 'GET', path: '/settings/api-keys', as: 'viewer', status: 200 },
  { method: 'POST', path: '/settings/api-keys', as: 'admin', status: 201, body: { name: 'Line 3 agent' }, refused: 'operator' },
  { method: 'DELETE', path: '/settings/api-keys/{key_id}', as: 'admin', status: 204, refused: 'operator' },
  { method: 'PATCH', path: '/settings/profile', as: 'viewer', status: 200, body: { full_name: 'Vera Viewer' } },
  { method: 'POST', path: '/settings/change-password', as: 'viewer', status: 200, body: { current_password: 'Haltless-Demo-1', new_password: 'N3w-Secure-Pass!' } },
  { method: 'GET', path: '/users', as: 'admin', status: 200, refused: 'operator' },
  { method: 'POST', path: '/users', as: 'admin', status: 201, body: { email: 'tech@acme.example', full_name: 'Tech', role: 'operator', password: 'Str0ng-Passw0rd!' }, refused: 'operator' },
  // 17. audit log
  { method: 'GET', path: '/audit', as: 'viewer', status: 200 },
  // 18. ERP / MES
  { method: 'GET', path: '/erp/connections', as: 'viewer', status: 200 },
  { method: 'POST', path: '/erp/connections', as: 'admin', status: 201, body: { name: 'Dynamics', provider: 'dynamics', base_url: 'https://erp.example.com', auth_config: { client_id: 'x' }, sync_interval_minutes: 60, is_active: true, field_mappings: {} }, refused: 'operator' },
  { method: 'GET', path: '/erp/connections/{id}', as: 'viewer', status: 200 },
  { method: 'PATCH', path: '/erp/connections/{id}', as: 'admin', status: 200, body: { sync_interval_minutes: 30 }, refused: 'operator' },
  { method: 'DELETE', path: '/erp/connections/{id}', as: 'admin', status: 204, refused: 'operator' },
  { method: 'POST', path: '/erp/connections/{id}/test', as: 'admin', status: 200, refused: 'operator' },
  { method: 'POST', path: '/erp/connections/{id}/sync', as: 'operator', status: 202, body: { direction: 'outbound', entity_type: 'work_order' }, refused: 'viewer' },
  { method: 'GET', path: '/erp/connections/{id}/logs', as: 'viewer', status: 200 },
  { method: 'GET', path: '/erp/logs', as: 'viewer', status: 200 },
  // 19. direct ingestion sources and edge agent
  { method: 'POST', path: '/ingest/opcua/sources', as: 'operator', status: 201, body: { machine_id: machine, endpoint_url: 'opc.tcp://plc-7:4840', security_mode: 'SignAndEncrypt', security_policy: 'Basic256Sha256', auth_type: 'username', username: 'opc', password: 'secret', poll_interval_seconds: 5, node_ids: ['ns=2;s=Temperature'], enabled: true }, refused: 'viewer' },
  { method: 'GET', path: '/agent/heartbeat', as: 'key', status: 200 },
]
