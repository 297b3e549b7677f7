import { afterAll, beforeAll } from 'vitest'
import { chromium, type Browser } from 'playwright-core'

/** Debian's Chromium (installed by .ci/run when missing), headless, with no background traffic. */
export const chromiumPath = '/usr/bin/chromium'
const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** One browser for the file's tests. */
export function useBrowser(): { browser: Browser } {
  const b = {} as { browser: Browser }
  beforeAll(async () => {
    b.browser = await chromium.launch({ executablePath: chromiumPath, args: flags, headless: true })
  }, 30_000)
  afterAll(() => b.browser?.close())
  return b
}
