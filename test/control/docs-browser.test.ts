import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { useBrowser } from '../browser.js'

const t = useServer()
const b = useBrowser()

describe('/__mock/docs in Chromium', () => {
  it('lists the machines endpoints with every request outside this server refused', async () => {
    const page = await b.browser.newPage()
    const refused: string[] = []
    // the network is closed: only this server answers
    await page.route('**/*', (route) => {
      const url = route.request().url()
      if (url.startsWith(`${t.url}/`)) return route.continue()
      refused.push(url)
      return route.abort()
    })
    await page.goto(`${t.url}/__mock/docs`)
    await page.getByText('/machines/{machine_id}', { exact: true }).first().waitFor({ timeout: 15_000 })
    const paths = await page.locator('.opblock-summary-path').allTextContents()
    expect(paths.map((p) => p.replace(/\u200b/g, ''))).toEqual(expect.arrayContaining(['/machines', '/machines/{machine_id}', '/machines/predictions/fleet']))
    expect(refused).toEqual([])
    await page.close()
  }, 30_000)
})
