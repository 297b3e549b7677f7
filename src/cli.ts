import { existsSync } from 'node:fs'
import { Command, CommanderError, Help, Option } from 'commander'
import { resolveConfig, envNameOf, type Config } from './config.js'
import { InputError } from './load-file.js'
import { createMockServer } from './server.js'
import { demoApiKey, demoPassword } from './store/demo.js'
import { version } from './version.js'
import { scenariosCommand } from './faults/cli.js'
import { endpointMarkdown } from './api/endpoint-table.js'
import { resources } from './api/index.js'

/** Exit code for bad flags, environment variables or files. */
const badInput = 2

const program = new Command()
  .name('haltless-mock')
  .description('A stateful mock server and fault-injection proxy for the Haltless API')
  .version(version)
  .exitOverride()
  // commander's `error: unknown option '--x'` in the same form as every other bad input
  .configureOutput({ outputError: (s, write) => write(s.replace(/^error: (.*)/, 'haltless-mock: $1 (see haltless-mock --help)')) })

const serveCommand = program
  .command('serve', { isDefault: true })
  .description('serve the emulated Haltless API (default command)')
  .addOption(new Option('-p, --port <port>', `TCP port, 0 for any free one (default 4010; env ${envNameOf('port')})`))
  .addOption(new Option('--host <host>', `interface to bind (default 127.0.0.1; env ${envNameOf('host')})`))
  .addOption(new Option('--seed <n>', `seed for every random choice, 0..4294967295 (default random; env ${envNameOf('seed')})`))
  .addOption(new Option('--log-level <level>', `fatal|error|warn|info|debug|trace|silent (default info; env ${envNameOf('logLevel')})`))
  .addOption(new Option('--log-format <format>', `auto (pretty on a terminal, JSON otherwise), json or pretty (default auto; env ${envNameOf('logFormat')})`))
  .addOption(new Option('--config <file>', 'YAML or JSON file of settings (env HALTLESS_MOCK_CONFIG)'))
  .addOption(new Option('--no-demo', `start with no demo tenants (env ${envNameOf('demo')}=false)`))
  .addOption(new Option('--rate-limits <on|off|file>', `rate limiting: on, off, or a YAML/JSON table file (default on; env ${envNameOf('rateLimits')})`))
  .addOption(new Option('--scenario <name|file>', `activate a scenario in every session from the first request; repeatable (env ${envNameOf('scenarios')}, comma-separated)`).argParser(collect))
  .addOption(new Option('--no-fault-headers', `do not label injected faults with X-Mock-Fault / X-Mock-Rule (env ${envNameOf('faultHeaders')}=false)`))
  .addOption(new Option('--journal-size <n>', `journal entries kept per session, 0 for none (default 1000; env ${envNameOf('journalSize')})`))
  .addOption(new Option('--admin-token <token>', `require X-Mock-Admin-Token on /__mock (else loopback clients only; health stays open; env ${envNameOf('adminToken')})`))
  .addOption(new Option('--mode <mode>', `mock (the emulator), proxy (forward /api/v1 to --upstream) or hybrid (default mock; env ${envNameOf('mode')})`))
  .addOption(new Option('--upstream <url>', `the real API for proxy and hybrid modes (default https://api.haltless.io; env ${envNameOf('upstream')})`))
  .addOption(new Option('--upstream-timeout <ms>', `504 Upstream timed out. after this long without an upstream answer (default 30000; env ${envNameOf('upstreamTimeoutMs')})`))
  .addOption(new Option('--mock-route <route>', `hybrid: a route the emulator answers, "METHOD /path"; repeatable, * wildcards (env ${envNameOf('mockRoutes')}, comma-separated)`).argParser(collect))
  .addOption(new Option('--record <file>', `proxy/hybrid: append every forwarded exchange to a JSON Lines file, secrets redacted (env ${envNameOf('record')})`))
  .addOption(new Option('--no-drift', `proxy/hybrid: do not compare upstream answers with the emulator's schemas (env ${envNameOf('drift')}=false)`))
  .addOption(new Option('--drift-sample <n>', `proxy/hybrid: after a route and status's first 100 answers, check 1 body in n for drift; 1 checks every body (default 10; env ${envNameOf('driftSample')})`))
  .addOption(new Option('--state-file <file>', `keep the API state in a JSON file: loaded at start, saved atomically after changes and at shutdown (env ${envNameOf('stateFile')})`))
  .addOption(new Option('--allow-header-faults', `let a request ask for a fault: X-Mock-Fault: <kind>[; opt=value], Prefer: code=<status> (env ${envNameOf('allowHeaderFaults')})`))
  // An operand here is `serve` after options (`haltless-mock --host 0.0.0.0 serve`, as a container
  // entrypoint makes it), else usually a mistyped command (`haltless-mock srve`): say so, not "too many arguments".
  .allowExcessArguments()
  .action(async (opts: Record<string, unknown>, cmd: Command) => {
    const extra = cmd.args[0] === 'serve' ? cmd.args.slice(1) : cmd.args
    if (extra.length > 0) throw new InputError(`unexpected argument '${extra[0]}' (the commands are serve and help; see haltless-mock --help)`)
    const { config: file, demo, faultHeaders, drift, scenario, mockRoute, upstreamTimeout, ...flags } = opts
    // commander defaults --no-x flags to true; only an explicit --no-demo / --no-fault-headers / --no-drift is a flag.
    const negated = { ...(demo === false ? { demo: false } : {}), ...(faultHeaders === false ? { faultHeaders: false } : {}), ...(drift === false ? { drift: false } : {}) }
    const config = resolveConfig({
      flags: { ...flags, ...negated, scenarios: scenario, mockRoutes: mockRoute, upstreamTimeoutMs: upstreamTimeout },
      env: process.env, file: file as string | undefined,
    })
    await serve(config)
  })

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

program.addCommand(scenariosCommand())
program
  .command('endpoints')
  .description('print the emulated endpoints as a Markdown table (the README\'s table)')
  .action(() => void process.stdout.write(endpointMarkdown(resources)))

// `haltless-mock --help` lists the options of serve, the default command, too.
program.configureHelp({
  visibleOptions(cmd) {
    const own = Help.prototype.visibleOptions.call(this, cmd)
    if (cmd !== program) return own
    const [help, others] = [own.filter((o) => o.long === '--help'), own.filter((o) => o.long !== '--help')]
    return [...others, ...serveCommand.options, ...help]
  },
})

async function serve(config: Config): Promise<void> {
  const { rateLimitTable, ...settings } = config
  const restored = config.stateFile !== undefined && existsSync(config.stateFile)
  const server = createMockServer({ ...settings, rateLimitTable })
  let url: string
  // the seed in effect, drawn at random when none was given, so that a run can be repeated
  const seed = server.deps.config.seed
  try {
    url = await server.listen()
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    fail(e.code === 'EADDRINUSE' ? `--port ${config.port} is already in use (choose another with --port or ${envNameOf('port')})` : `Cannot listen on ${config.host}:${config.port}: ${e.message}`, 1)
  }
  console.log(banner(url!, config, seed, restored))
  // SIGTERM/SIGINT: no new connections; requests in flight get up to 5 s to be answered
  const stop = async () => {
    await server.close({ drainMs: 5000 })
    process.exit(0)
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

function banner(url: string, config: Config, seed: number | undefined, restored: boolean): string {
  const api = `${url}/api/v1`
  const what = {
    mock: `serving the Haltless API at ${api}`,
    proxy: `forwarding ${api} to ${config.upstream}`,
    hybrid: `serving ${config.mockRoutes.join(', ') || 'no route'} at ${url} from the emulator, forwarding the rest of ${api} to ${config.upstream}`,
  }[config.mode]
  const lines = [
    `haltless-mock ${version} ${what}`,
    `  control plane  ${url}/__mock/health   seed ${seed}${config.seed !== undefined ? '' : restored ? ' (from the state file)' : ' (random)'}   rate limits ${config.rateLimitTable ? config.rateLimits : 'off'}${config.scenarios.length ? `   scenarios ${config.scenarios.join(', ')}` : ''}`,
    `  dashboard      ${url}/__mock/   API docs ${url}/__mock/docs`,
    `  OpenAPI        ${url}/__mock/openapi.json   WebSocket ${url.replace(/^http/, 'ws')}/api/v1/ws/dashboard`,
    ...(config.stateFile ? [`  state file     ${config.stateFile} (${restored ? 'restored' : 'new'}; saved after changes and at exit)`] : []),
  ]
  if (config.mode === 'proxy') return [...lines, `  drift ${url}/__mock/drift${config.record ? `   recording to ${config.record}` : ''}`].join('\n')
  if (!config.demo) return [...lines, '  no demo data (--no-demo): register a tenant with POST /api/v1/auth/register'].join('\n')
  return [
    ...lines,
    '',
    'Demo credentials (password for every demo user: ' + demoPassword + ')',
    '  admin@acme.example  operator@acme.example  viewer@acme.example  admin@globex.example  admin@initech.example (402)',
    '',
    'Log in and keep the token:',
    `  TOKEN=$(curl -s -X POST ${api}/auth/login -H 'Content-Type: application/json' \\`,
    `    -d '{"email":"admin@acme.example","password":"${demoPassword}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
    `  curl -i ${api}/machines -H "Authorization: Bearer $TOKEN"`,
    '',
    'Demo API key (scopes ingest, agent, read:machines, read:sensors):',
    `  curl -i ${api}/machines -H 'X-API-Key: ${demoApiKey}'`,
  ].join('\n')
}

function fail(message: string, code = badInput): never {
  console.error(`haltless-mock: ${message}`)
  process.exit(code)
}

try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof InputError) fail(err.message)
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : badInput)
  throw err
}
