import { describe, expect, it } from 'vitest'
import { defaultRateLimits } from '../../src/api/rate-limits.js'
import { ManualClock } from '../../src/clock.js'
import { createMockServer } from '../../src/server.js'
import { useServer, demoApiKey } from '../helpers.js'
import { useBrowser } from '../browser.js'

const t = useServer({ rateLimitTable: defaultRateLimits })
const b = useBrowser()

describe('the dashboard (/__mock/) in Chromium', () => {
  it('activates rate-limit-burst with one click and shows the 429s live, with the findings and rate limits', async () => {
    const page = await b.browser.newPage({ viewport: { width: 1280, height: 900 } })
    const refused: string[] = []
    await page.route('**/*', (route) => (route.request().url().startsWith(`${t.url}/`) ? route.continue() : (refused.push(route.request().url()), route.abort())))
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(`${t.url}/__mock/`)
    await page.locator('body[data-ready="true"][data-live="true"]').waitFor({ timeout: 15_000 })
    await expect.poll(() => page.getByTestId('server').textContent()).toMatch(/^mock mode · v\d+\.\d+\.\d+ · up \d+s · demo data$/)

    await page.getByRole('button', { name: 'rate-limit-burst', exact: true }).click()
    await page.locator('#scenarios button.on[data-name="rate-limit-burst"]').waitFor()
    await expect.poll(() => page.getByTestId('active').textContent()).toContain('rate-limit-burst')

    // a client that retries at once, in the session the page shows (default)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${t.url}/api/v1/machines`, { headers: { 'X-API-Key': demoApiKey } })
      statuses.push(res.status)
      await res.arrayBuffer()
    }
    expect(statuses).toEqual([200, 429, 429, 429])
    const journalStatuses = () => page.locator('[data-testid="journal"] tr td:nth-child(5)').allTextContents()
    await expect.poll(journalStatuses, { timeout: 10_000 }).toEqual(['429', '429', '429', '200'])
    expect(await page.locator('[data-testid="journal"] tr td:nth-child(6)').allTextContents()).toEqual(['rate_limited', 'rate_limited', 'rate_limited', ''])
    await expect.poll(() => page.getByTestId('findings').textContent(), { timeout: 10_000 }).toContain('retried_before_retry_after')
    // only the request that reached the API counted against Acme's tier
    await expect.poll(() => page.getByTestId('limits').locator('tr').first().textContent()).toBe('Acme Manufacturing' + 'pro' + '1 / 300' + '10:31:00')

    // a one-off fault, then a request from the page itself
    await page.getByTestId('fault-kind').selectOption('service_unavailable')
    await page.getByRole('button', { name: 'Inject' }).click()
    await expect.poll(() => page.getByTestId('active').textContent()).toContain('one-off service_unavailable')
    await page.getByTestId('send').click()
    await expect.poll(() => page.getByTestId('try-result').textContent()).toBe('503 · Retry-After 1')
    await expect.poll(journalStatuses).toEqual(['503', '429', '429', '429', '200'])

    await expect.poll(() => page.getByTestId('findings').locator('li').count()).toBe(3)
    if (process.env.DASHBOARD_SCREENSHOT) await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true })

    // resetting the session empties its journal
    await page.getByRole('button', { name: 'Reset session' }).click()
    await expect.poll(journalStatuses).toEqual([])
    await expect.poll(() => page.getByTestId('findings').textContent()).toBe('no findings over 0 requests')
    expect(errors).toEqual([])
    expect(refused).toEqual([])
    await page.close()
  }, 60_000)

  it('with --admin-token: takes the token from #token=, or asks for it once, and sends it on every call', async () => {
    const guarded = createMockServer({ seed: 1, logLevel: 'silent', adminToken: 'dashboard-token', clock: new ManualClock() })
    const url = await guarded.listen(0, '127.0.0.1')
    try {
      const fromHash = await b.browser.newPage()
      await fromHash.goto(`${url}/__mock/#token=dashboard-token`)
      await fromHash.locator('body[data-ready="true"][data-live="true"]').waitFor({ timeout: 15_000 })
      await fromHash.getByRole('button', { name: 'flaky-5xx', exact: true }).click()
      await expect.poll(() => fromHash.getByTestId('active').textContent()).toContain('flaky-5xx')
      await fromHash.close()
      const asked = await b.browser.newPage()
      const prompts: string[] = []
      asked.on('dialog', (d) => (prompts.push(d.message()), void d.accept('dashboard-token')))
      await asked.goto(`${url}/__mock/`)
      await asked.locator('body[data-ready="true"][data-live="true"]').waitFor({ timeout: 15_000 })
      expect(prompts).toEqual(['Admin token (--admin-token) for this server:'])
      expect(await asked.getByTestId('active').textContent()).toContain('flaky-5xx')
      await asked.close()
    } finally {
      await guarded.close()
    }
  }, 60_000)

  it('serves its shell without the admin token but nothing else', async () => {
    const shell = await fetch(`${t.url}/__mock/dashboard/dashboard.js`)
    expect([shell.status, shell.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8'])
    const redirect = await fetch(`${t.url}/__mock`, { redirect: 'manual' })
    expect([redirect.status, redirect.headers.get('location')]).toEqual([302, '/__mock/'])
    expect((await fetch(`${t.url}/__mock/dashboard/other.js`)).status).toBe(404)
  })
})
