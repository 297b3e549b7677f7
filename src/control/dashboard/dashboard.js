// The dashboard page: plain DOM over the control plane (/__mock/*), no framework, no build step.
// With --admin-token the page asks for the token once (or reads #token=... from its URL) and sends
// it as X-Mock-Admin-Token on every call, the live journal included (a fetch stream, not EventSource,
// which cannot send headers).

const $ = (id) => document.getElementById(id)
const el = (tag, { dataset = {}, ...props } = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props)
  Object.assign(node.dataset, dataset)
  for (const child of children) node.append(child)
  return node
}
const maxRows = 500
let token = new URLSearchParams(location.hash.slice(1)).get('token') ?? sessionStorage.getItem('haltless-mock-token') ?? ''
let demoApiKey = null
const state = { session: 'default', allSessions: false, entries: [] }

function notice(text) {
  $('notice').textContent = text
  $('notice').hidden = !text
}

/** A control-plane call; JSON in, JSON out; a 401 asks for the admin token and tries again once. */
async function control(method, path, body, retried = false) {
  const headers = token ? { 'X-Mock-Admin-Token': token } : {}
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const res = await fetch(`/__mock${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  if (res.status === 401 && !retried) {
    const given = prompt('Admin token (--admin-token) for this server:')
    if (given) {
      token = given
      sessionStorage.setItem('haltless-mock-token', token)
      return control(method, path, body, true)
    }
  }
  const text = await res.text()
  const value = text ? JSON.parse(text) : null
  if (!res.ok) throw new Error(`${method} /__mock${path}: ${res.status} ${typeof value?.detail === 'string' ? value.detail : JSON.stringify(value?.detail ?? value)}`)
  return value
}

/** Runs `fn`, showing a failure in the notice bar instead of losing it. */
const act = (fn) => async (...args) => {
  try {
    notice('')
    await fn(...args)
  } catch (err) {
    notice(err.message)
  }
}

/** At most one run of `fn` per `ms`; a call during the pause runs once after it. */
function throttle(fn, ms) {
  let timer = null
  let pending = false
  const run = () => {
    pending = false
    act(fn)()
    timer = setTimeout(() => ((timer = null), pending && run()), ms)
  }
  return () => (timer ? (pending = true) : run())
}

const enc = encodeURIComponent
const sessionPath = () => `/sessions/${enc(state.session)}`

// --- server, sessions, scenarios -------------------------------------------------------------

async function loadServer() {
  const h = await control('GET', '/health')
  $('server').textContent = `${h.mode} mode · v${h.version} · up ${h.uptime_s}s${h.demo ? ' · demo data' : ''}`
  demoApiKey = (await control('GET', '/dashboard/config.json')).demo_api_key
}

async function loadSessions() {
  const sessions = await control('GET', '/sessions')
  $('sessions').replaceChildren(...sessions.map((s) => el('option', { value: s.session })))
  const mine = sessions.find((s) => s.session === state.session) ?? (await control('GET', sessionPath()))
  const names = new Set(mine.scenarios.map((s) => s.name))
  for (const button of $('scenarios').querySelectorAll('button')) button.classList.toggle('on', names.has(button.dataset.name))
  $('active').replaceChildren(
    ...mine.scenarios.map((s) =>
      el('li', {}, `${s.name}${s.phase ? ` (phase ${s.phase})` : ''} `, el('button', { textContent: 'Deactivate', onclick: act(() => deactivate(s.name)) })),
    ),
    ...mine.one_off_faults.map((f) => el('li', {}, `one-off ${f.kind} (${f.id}), ${f.remaining} left`)),
  )
  if (!mine.scenarios.length && !mine.one_off_faults.length) $('active').replaceChildren(el('li', { className: 'hint', textContent: 'none' }))
}

async function loadScenarios() {
  const scenarios = await control('GET', '/scenarios')
  $('scenarios').replaceChildren(
    ...scenarios.map((s) => el('button', { textContent: s.name, title: s.description ?? '', onclick: act(() => activate(s.name)), dataset: { name: s.name } })),
  )
}

async function activate(name) {
  await control('POST', `${sessionPath()}/scenarios`, { name })
  await loadSessions()
}

async function deactivate(name) {
  await control('DELETE', `${sessionPath()}/scenarios?name=${enc(name)}`)
  await loadSessions()
}

// --- one-off faults and a test request ------------------------------------------------------

let kinds = []
async function loadKinds() {
  kinds = await control('GET', '/fault-kinds')
  $('fault-kind').replaceChildren(...kinds.filter((k) => k.kind !== 'pass').map((k) => el('option', { value: k.kind, textContent: k.kind })))
  describeKind()
}

function describeKind() {
  const kind = kinds.find((k) => k.kind === $('fault-kind').value)
  const options = Object.keys(kind?.options?.properties ?? {})
  $('fault-description').textContent = kind ? `${kind.description}${options.length ? ` · options: ${options.join(', ')}` : ''}` : ''
}

async function injectFault(event) {
  event.preventDefault()
  let options
  try {
    options = JSON.parse($('fault-options').value || '{}')
  } catch {
    throw new Error('Options must be a JSON object, e.g. {"retry_after_s": 5}')
  }
  const match = {}
  if ($('fault-path').value.trim()) match.path = $('fault-path').value.trim()
  if ($('fault-method').value.trim()) match.method = $('fault-method').value.trim().toUpperCase()
  await control('POST', `${sessionPath()}/faults`, { fault: { ...options, kind: $('fault-kind').value }, match, times: Number($('fault-times').value) || 1 })
  await loadSessions()
}

async function tryRequest(event) {
  event.preventDefault()
  const headers = { 'X-Mock-Session': state.session }
  if (demoApiKey) headers['X-API-Key'] = demoApiKey
  const method = $('try-method').value
  if (method === 'POST') headers['Content-Type'] = 'application/json'
  const path = $('try-path').value.trim().replace(/^\/?(api\/v1)?\/?/, '/')
  $('try-result').textContent = '…'
  try {
    const res = await fetch(`/api/v1${path}`, { method, headers, body: method === 'POST' ? '{}' : undefined })
    $('try-result').textContent = `${res.status}${res.headers.get('retry-after') ? ` · Retry-After ${res.headers.get('retry-after')}` : ''}`
  } catch {
    $('try-result').textContent = 'no response (connection closed)'
  }
}

// --- rate limits and client checks -----------------------------------------------------------

async function loadLimits() {
  const limits = await control('GET', '/rate-limits')
  if (!limits.enabled) return void $('limits').replaceChildren(el('tr', {}, el('td', { colSpan: 4, className: 'hint', textContent: 'rate limiting is off (--rate-limits off)' })))
  $('limits').replaceChildren(
    ...limits.tenants.map((t) => {
      const share = t.limit ? t.used / t.limit : 0
      const bar = el('span', { className: 'bar' }, el('i', { className: share >= 0.9 ? 'high' : '', style: `width: ${Math.min(100, share * 100)}%` }))
      return el('tr', { title: `${t.bucket} tier: ${t.limit} requests per ${t.window_s} s` }, el('td', { textContent: t.name }), el('td', { textContent: t.bucket }), el('td', {}, bar, `${t.used} / ${t.limit}`), el('td', { textContent: t.resets_at.slice(11, 19) }))
    }),
  )
}

async function loadFindings() {
  const report = await control('GET', `${sessionPath()}/verify`)
  if (!report.findings.length) {
    return void $('findings').replaceChildren(el('li', { className: 'hint', textContent: `no findings over ${report.checked_entries} requests` }))
  }
  $('findings').replaceChildren(
    ...report.findings.map((f) => el('li', {}, el('span', { className: 'kind', textContent: f.kind }), `: ${f.detail} (journal ${f.entries.map((id) => `#${id}`).join(', ')})`)),
  )
}

// --- live journal ------------------------------------------------------------------------------

function row(e) {
  const status = e.status === null ? 'none' : String(e.status)
  return el(
    'tr',
    { className: 'fresh', dataset: { id: String(e.id), session: e.session } },
    el('td', { textContent: String(e.id) }),
    el('td', { textContent: e.time.slice(11, 23) }),
    el('td', { textContent: e.session }),
    el('td', { className: 'path', textContent: `${e.method} ${e.path}` }),
    el('td', { className: `s${status[0] === 'n' ? 'none' : status[0]}`, textContent: e.status === null ? 'no response' : status }),
    el('td', { textContent: e.fault ?? '' }),
    el('td', { textContent: e.rule ?? '' }),
    el('td', { textContent: String(e.duration_ms) }),
  )
}

function renderJournal() {
  const shown = state.entries.filter((e) => state.allSessions || e.session === state.session)
  $('journal').replaceChildren(...shown.slice(-maxRows).reverse().map(row))
}

function addEntry(e) {
  if (state.entries.length && e.id <= state.entries.at(-1).id) return
  state.entries.push(e)
  if (state.entries.length > maxRows * 4) state.entries.splice(0, state.entries.length - maxRows * 4)
  if (state.allSessions || e.session === state.session) {
    $('journal').prepend(row(e))
    while ($('journal').rows.length > maxRows) $('journal').lastElementChild.remove()
  }
  refreshSoon()
}

/** Follows /__mock/events for good: reconnects after a second when the stream ends. */
async function follow() {
  for (;;) {
    try {
      const res = await fetch('/__mock/events', { headers: token ? { 'X-Mock-Admin-Token': token } : {} })
      if (!res.ok || !res.body) throw new Error(`live journal: ${res.status}`)
      document.body.dataset.live = 'true'
      // entries from before the stream opened (a repeated id is skipped)
      for (const e of await control('GET', '/journal?limit=200')) addEntry(e)
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      let buffered = ''
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buffered += value
        let end
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const data = buffered.slice(0, end).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n')
          buffered = buffered.slice(end + 2)
          if (data) addEntry(JSON.parse(data))
        }
      }
    } catch (err) {
      notice(err.message)
    }
    document.body.dataset.live = 'false'
    await new Promise((r) => setTimeout(r, 1000))
  }
}

const refreshSoon = throttle(async () => {
  await Promise.all([loadSessions(), loadLimits(), loadFindings()])
}, 300)

// --- wiring -------------------------------------------------------------------------------------

function selectSession() {
  state.session = $('session').value.trim() || 'default'
  renderJournal()
  refreshSoon()
}

$('session').addEventListener('change', selectSession)
$('all-sessions').addEventListener('change', () => ((state.allSessions = $('all-sessions').checked), renderJournal()))
$('fault-kind').addEventListener('change', describeKind)
$('fault-form').addEventListener('submit', act(injectFault))
$('try-form').addEventListener('submit', act(tryRequest))
$('reset-session').addEventListener('click', act(async () => {
  await control('POST', `${sessionPath()}/reset`)
  state.entries = state.entries.filter((e) => e.session !== state.session)
  renderJournal()
  refreshSoon()
}))
$('reset-server').addEventListener('click', act(async () => {
  await control('POST', '/reset')
  state.entries = []
  renderJournal()
  refreshSoon()
}))

act(async () => {
  await loadServer() // asks for the admin token first, when the server wants one
  void follow()
  await Promise.all([loadScenarios(), loadKinds()])
  await Promise.all([loadSessions(), loadLimits(), loadFindings()])
  setInterval(() => act(loadLimits)(), 5000) // windows reset with no request to tell us
  document.body.dataset.ready = 'true'
})()
