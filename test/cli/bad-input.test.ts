// The CLI refuses bad flags, environment variables, config files and rate-limit tables: exit code 2
// and one line on stderr naming the source and what was expected.
import { join } from 'node:path'
import { describe, test } from 'vitest'
import { run, timeout, useTmpDir } from './helpers.js'

const { tmp, file } = useTmpDir()

describe('bad input exits 2 with one line naming the source and what was expected', { timeout }, () => {
  const cases: [string, string[], Record<string, string>, string][] = [
    ['a port out of range', ['--port', '70000'], {}, '--port must be an integer from 0 to 65535 (got "70000")'],
    ['a port that is not a number', ['--port', 'abc'], {}, '--port must be an integer from 0 to 65535 (got "abc")'],
    ['a port that is not an integer', ['--port', '1.5'], {}, '--port must be an integer from 0 to 65535 (got "1.5")'],
    ['an unknown log level', ['--log-level', 'loud'], {}, '--log-level must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (got "loud")'],
    ['a negative seed', ['--seed', '-1'], {}, '--seed must be an integer from 0 to 4294967295 (got "-1")'],
    ['an empty host', ['--host', ''], {}, '--host must not be empty (got "")'],
    ['a drift sample of 0', ['--drift-sample', '0'], {}, '--drift-sample must be an integer from 1 to 1000000 (got "0")'],
    [
      'a rate-limit file that does not exist',
      ['--rate-limits', 'missing-file.yaml'],
      {},
      '--rate-limits must be "on", "off" or a YAML/JSON rate-limit table file (cannot read missing-file.yaml: no such file)',
    ],
    ['a config file that does not exist', ['--config', 'missing-config.yaml'], {}, '--config must be a YAML or JSON file of settings (cannot read missing-config.yaml: no such file)'],
    ['an unknown flag', ['--bogus'], {}, "unknown option '--bogus' (see haltless-mock --help)"],
    ['an unknown flag after serve', ['serve', '--bogus'], {}, "unknown option '--bogus' (see haltless-mock --help)"],
    ['a flag without its value', ['--port'], {}, "option '-p, --port <port>' argument missing (see haltless-mock --help)"],
    ['an unknown command', ['srve'], {}, "unexpected argument 'srve' (the commands are serve and help; see haltless-mock --help)"],
    ['HALTLESS_MOCK_PORT that is not a number', [], { HALTLESS_MOCK_PORT: 'abc' }, 'HALTLESS_MOCK_PORT must be an integer from 0 to 65535 (got "abc")'],
    ['HALTLESS_MOCK_DEMO that is not a boolean', [], { HALTLESS_MOCK_DEMO: 'maybe' }, 'HALTLESS_MOCK_DEMO must be true or false (got "maybe")'],
    ['HALTLESS_MOCK_LOG_LEVEL unknown', [], { HALTLESS_MOCK_LOG_LEVEL: 'loud' }, 'HALTLESS_MOCK_LOG_LEVEL must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (got "loud")'],
    [
      'HALTLESS_MOCK_CONFIG naming no file',
      [],
      { HALTLESS_MOCK_CONFIG: 'missing-config.yaml' },
      'HALTLESS_MOCK_CONFIG must be a YAML or JSON file of settings (cannot read missing-config.yaml: no such file)',
    ],
    ['a flag over its environment variable', ['--port', '70000'], { HALTLESS_MOCK_PORT: '4010' }, '--port must be an integer from 0 to 65535 (got "70000")'],
  ]
  test.concurrent.for(cases)('%s', async ([, args, env, message], { expect }) => {
    const r = await run(args, env)
    expect(r.stderr).toBe(`haltless-mock: ${message}\n`)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
  })

  test.concurrent('a misspelt flag: the suggestion follows on a second line', async ({ expect }) => {
    const r = await run(['--prot', '4010'])
    expect(r.stderr.split('\n')).toEqual(["haltless-mock: unknown option '--prot' (see haltless-mock --help)", '(Did you mean --port?)', ''])
    expect(r.code).toBe(2)
  })

  test.concurrent('a config file with a bad value: the file and the field', async ({ expect }) => {
    const config = file('bad-port.yaml', 'port: 70000\n')
    const r = await run(['--config', config])
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${config}: port must be an integer from 0 to 65535 (got 70000)\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a config file named by HALTLESS_MOCK_CONFIG with a bad value: the file and the field', async ({ expect }) => {
    const config = file('bad-demo.yaml', 'demo: perhaps\n')
    const r = await run([], { HALTLESS_MOCK_CONFIG: config })
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${config}: demo must be true or false (got "perhaps")\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a config file with an unknown setting is refused, naming the file', async ({ expect }) => {
    const config = file('unknown-setting.yaml', 'port: 0\nlog_level: debug\n')
    const r = await run(['--config', config])
    expect(r.stderr).toBe(
      `haltless-mock: Failed to load ${config}: unknown setting "log_level" (expected one of port, host, seed, logLevel, logFormat, demo, rateLimits, jwtSecret, accessTokenTtlS, mfaPendingTtlS, refreshTokenTtlS, mfaTestCode, apiKeyPrefix, pastDueGraceDays, maxBodyBytes, alwaysSendRateLimitReset, scenarios, faultHeaders, allowHeaderFaults, journalSize, adminToken, mode, upstream, upstreamTimeoutMs, mockRoutes, record, drift, driftSample, stateFile)\n`,
    )
    expect(r.code).toBe(2)
  })

  test.concurrent('a config file that is not YAML', async ({ expect }) => {
    const config = file('broken.yaml', 'port: [1\n')
    const r = await run(['--config', config])
    expect(r.stderr).toMatch(new RegExp(`^haltless-mock: Failed to parse ${config}: .+ at line 2, column 1\\n$`))
    expect(r.code).toBe(2)
  })

  test.concurrent('a config file that is not a mapping', async ({ expect }) => {
    const config = file('list.yaml', '- port\n')
    const r = await run(['--config', config])
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${config}: expected a mapping of settings\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a flag wins over the config file', async ({ expect }) => {
    const config = file('port-ok.yaml', 'port: 0\nseed: 3\n')
    const r = await run(['--config', config, '--seed', 'x'])
    expect(r.stderr).toBe('haltless-mock: --seed must be an integer from 0 to 4294967295 (got "x")\n')
    expect(r.code).toBe(2)
  })

  test.concurrent('a rate-limit table with a bad value: the file and the field path', async ({ expect }) => {
    const table = file('limits-bad.yaml', 'pro: { limit: -1 }\n')
    const r = await run(['--rate-limits', table])
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${table}: pro.limit must be >= 1 (got -1)\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a rate-limit table with an unknown tier', async ({ expect }) => {
    const table = file('limits-unknown.yaml', 'premium: { limit: 5 }\n')
    const r = await run(['--rate-limits', table])
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${table}: (top level) has unknown field(s) premium\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a rate-limit table named in a config file is found next to that file', async ({ expect }) => {
    file('nested/limits.yaml', 'free: { limit: 5, window_s: 0 }\n')
    const config = file('nested/conf/mock.yaml', 'rateLimits: ../limits.yaml\n')
    const r = await run(['--config', config])
    expect(r.stderr).toBe(`haltless-mock: Failed to load ${join(tmp, 'nested/limits.yaml')}: free.window_s must be >= 1 (got 0)\n`)
    expect(r.code).toBe(2)
  })

  test.concurrent('a rate-limit table named in a config file that does not exist: the config file and field', async ({ expect }) => {
    const config = file('missing-table.yaml', 'rateLimits: /nonexistent/limits.yaml\n')
    const r = await run(['--config', config])
    expect(r.stderr).toBe(
      `haltless-mock: Failed to load ${config}: rateLimits must be "on", "off" or a YAML/JSON rate-limit table file (cannot read /nonexistent/limits.yaml: no such file)\n`,
    )
    expect(r.code).toBe(2)
  })
})
