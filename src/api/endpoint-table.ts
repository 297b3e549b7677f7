import { statusesOf, type Resource } from './endpoint.js'
import { permissions } from './permissions.js'

/**
 * The supported endpoints as a Markdown table, from the endpoint declarations (the README's
 * table is this output; `haltless-mock endpoints` prints it).
 */
export function endpointMarkdown(resources: Resource[]): string {
  const lines = ['| Method | Path | Credential | Roles / scope | Success | Errors |', '|---|---|---|---|---|---|']
  for (const r of resources) {
    for (const e of r.endpoints) {
      const a = e.access
      const credential = a === 'public' ? (e.path === '/auth/refresh' ? 'cookie' : 'none') : { jwt: 'JWT', jwt_or_key: 'JWT or API key', key: 'API key' }[a.credential]
      const roles = a === 'public' ? '—' : [a.credential !== 'key' ? permissions[a.permission ?? 'read'].join(', ') : '', a.scope ? `\`${a.scope}\`` : ''].filter(Boolean).join('; ')
      const refusals = statusesOf(e).filter((st) => st !== e.status)
      lines.push(`| ${e.method.toUpperCase()} | \`${e.path}\` | ${credential} | ${roles} | ${e.status} | ${refusals.join(', ') || '—'} |`)
    }
  }
  lines.push('| GET | `/ws/dashboard` (WebSocket) | JWT as first frame | any | 101 | close 4001, 4002, 4003, 1008 |')
  return `${lines.join('\n')}\n`
}
