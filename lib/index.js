// `import { startMock } from 'haltless-mock'`: registers the hooks that run this package's
// TypeScript sources (only files of this package; see bin/ts-hooks.mjs), then loads them.
import { register } from 'node:module'

const key = Symbol.for('haltless-mock.ts-hooks')
if (!globalThis[key]) {
  globalThis[key] = true
  register('../bin/ts-hooks.mjs', import.meta.url, { data: { scope: new URL('../', import.meta.url).href } })
}
const entry = await import('../src/testing/index.ts')

export const { startMock, ControlClient, MockControlError, createMockServer, ManualClock, systemClock } = entry
