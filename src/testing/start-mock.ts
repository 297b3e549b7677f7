import { createMockServer, type MockServer, type MockServerOptions } from '../server.js'
import { sessionHeader } from '../faults/engine.js'
import { scenarioProblems } from '../faults/loader.js'
import { demoApiKey, demoPassword } from '../store/demo.js'
import { ControlClient, type Finding, type JournalEntry, type OneOffFault, type SessionInfo, type VerifyReport } from './control-client.js'

/** A scenario: a built-in name (`rate-limit-burst`), a file path, or an inline scenario object. */
export type ScenarioRef = string | ({ name: string } & Record<string, unknown>)

export interface StartMockOptions extends Omit<MockServerOptions, 'port' | 'host' | 'scenarios'> {
  /** Active in every session from the first request (one or several). */
  scenario?: ScenarioRef | ScenarioRef[]
}

/** One client session (`X-Mock-Session`): its own scenarios, counters and journal. */
export interface MockSession {
  readonly name: string
  /** `{ 'X-Mock-Session': name }`: add to the client's requests. */
  readonly headers: Record<string, string>
  /** fetch against `<apiUrl><path>` with the session header set. */
  fetch(path: string, init?: RequestInit): Promise<Response>
  activate(scenario: ScenarioRef, opts?: { seed?: number }): Promise<SessionInfo>
  deactivate(name?: string): Promise<void>
  injectFault(fault: OneOffFault): Promise<{ id: string }>
  reset(): Promise<SessionInfo>
  info(): Promise<SessionInfo>
  journal(q?: { since?: number; limit?: number }): Promise<JournalEntry[]>
  /** The client-behaviour findings over the session's journal (empty: the client behaved). */
  verify(): Promise<Finding[]>
  /** The whole verify report. */
  verifyReport(): Promise<VerifyReport>
  /** Throws, listing every finding, unless the client behaved. */
  assertWellBehaved(): Promise<void>
}

export interface RunningMock {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** `http://127.0.0.1:<port>/api/v1`: the base URL for the client under test. */
  apiUrl: string
  /** The demo credentials (password of every demo user, Acme's API key). */
  credentials: { email: string; password: string; apiKey: string }
  /** Every control endpoint, typed. */
  control: ControlClient
  /** A session by name (`default` is the one of requests without a session header). */
  session(name?: string): MockSession
  /** The in-process server: its state, clock and config (for what the control plane does not cover). */
  server: MockServer
  close(): Promise<void>
}

/**
 * Starts the emulator in this process on 127.0.0.1 with an ephemeral port. Every option of the
 * CLI is an option here (`seed`, `demo`, `rateLimits`, `mode`, `upstream`, a `clock`...), logs are
 * silent unless `logLevel` is given.
 */
export async function startMock(options: StartMockOptions = {}): Promise<RunningMock> {
  const { scenario, ...rest } = options
  const refs = scenario === undefined ? [] : Array.isArray(scenario) ? scenario : [scenario]
  for (const ref of refs) {
    if (typeof ref === 'string') continue
    const problems = scenarioProblems(ref)
    if (problems.length) throw new TypeError(`startMock: scenario "${String(ref.name)}": ${problems.join('; ')}`)
  }
  const server = createMockServer({
    logLevel: 'silent',
    ...rest,
    scenarios: refs.filter((r): r is string => typeof r === 'string'),
    inlineScenarios: refs.filter((r) => typeof r !== 'string'),
  })
  const url = await server.listen(0, '127.0.0.1')
  const apiUrl = `${url}/api/v1`
  const control = new ControlClient(url, server.deps.config.adminToken)
  return {
    url,
    apiUrl,
    credentials: { email: 'admin@acme.example', password: demoPassword, apiKey: demoApiKey },
    control,
    server,
    session: (name = 'default') => sessionOf(control, apiUrl, name),
    close: () => server.close(),
  }
}

function sessionOf(control: ControlClient, apiUrl: string, name: string): MockSession {
  const headers = { 'X-Mock-Session': name }
  const verifyReport = () => control.verify(name)
  return {
    name,
    headers,
    fetch(path, init = {}) {
      const merged = new Headers(init.headers)
      merged.set(sessionHeader, name)
      return fetch(`${apiUrl}${path}`, { ...init, headers: merged })
    },
    activate: (scenario, opts) => control.activate(name, scenario, opts),
    deactivate: async (scenarioName) => void (await control.deactivate(name, scenarioName)),
    injectFault: (fault) => control.injectFault(name, fault),
    reset: () => control.resetSession(name),
    info: () => control.session(name),
    journal: (q = {}) => control.journal({ ...q, session: name }),
    verify: async () => (await verifyReport()).findings,
    verifyReport,
    async assertWellBehaved() {
      const { findings } = await verifyReport()
      if (findings.length) throw new Error(`session ${name}: the client misbehaved:\n${findings.map((f) => `  - ${f.kind}: ${f.detail} (journal ${f.entries.join(', ')})`).join('\n')}`)
    },
  }
}
