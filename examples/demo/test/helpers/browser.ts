/** The demo's browser tests: Chromium from the testkit, screenshots for docs/, page errors. */
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'

export { launchChromium } from '@minisocket/testkit/chromium'
export const screenshotsDir = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url))

/** Saves a PNG into docs/screenshots/ when UPDATE_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return
  mkdirSync(screenshotsDir, { recursive: true })
  await page.screenshot({ path: `${screenshotsDir}${name}.png` })
}

/** Collects uncaught page errors, so a test can assert there were none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}
