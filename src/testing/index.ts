// The package's programmatic entry (`import { startMock } from 'haltless-mock'`): the test helper,
// the typed control-plane client, and the server factory underneath both.
export { startMock, type MockSession, type RunningMock, type ScenarioRef, type StartMockOptions } from './start-mock.js'
export {
  ControlClient, MockControlError,
  type DriftFinding, type DriftReport, type FaultKindInfo, type Finding, type Health, type JournalEntry, type OneOffFault, type RateLimits,
  type ScenarioInfo, type SessionInfo, type TenantInfo, type TenantPatch, type VerifyReport,
} from './control-client.js'
export { createMockServer, type MockServer, type MockServerOptions } from '../server.js'
export { ManualClock, systemClock, type Clock } from '../clock.js'
