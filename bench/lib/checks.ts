// Checks against an emulator child before it is measured: the demo login works, and one request of
// the benchmarked kind answers 200 with rate-limit headers and without an injected fault.
import type { Child } from './children.js'
import { BenchFailure, route } from './common.js'

/** The demo data's admin (`--seed 1`). */
export const login = { email: 'admin@acme.example', password: 'Haltless-Demo-1' }
/** The demo data's API key. */
export const apiKey = 'hk_demoacme000000000000000000000000'

async function fetchChecked(url: string, init: RequestInit, what: string): Promise<Response> {
  const res = await fetch(url, init)
  if (res.status !== 200) throw new BenchFailure(`${what}: expected 200, got ${res.status} ${await res.text()}`)
  return res
}

export async function loginToken(child: Child): Promise<string> {
  const res = await fetchChecked(
    `${child.url}/api/v1/auth/login`,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(login) },
    `POST /api/v1/auth/login as ${login.email}`,
  )
  const { access_token } = (await res.json()) as { access_token?: string }
  if (!access_token) throw new BenchFailure('login answered 200 without access_token')
  return access_token
}

/** One request of the benchmarked kind: must be 200, carry X-RateLimit-Limit and no injected fault (X-Mock-Fault). */
export async function checkRoute(child: Child, headers: Record<string, string>, what: string): Promise<{ body: Buffer; contentType: string }> {
  const res = await fetchChecked(child.url + route, { headers }, `GET ${route} (${what})`)
  if (!res.headers.has('x-ratelimit-limit')) throw new BenchFailure(`GET ${route} (${what}): no X-RateLimit-Limit header`)
  const fault = res.headers.get('x-mock-fault')
  if (fault) throw new BenchFailure(`GET ${route} (${what}): a fault was injected (X-Mock-Fault: ${fault}, X-Mock-Rule: ${res.headers.get('x-mock-rule')})`)
  return { body: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') ?? 'application/json' }
}
