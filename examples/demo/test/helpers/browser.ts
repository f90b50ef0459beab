/**
 * Debian's Chromium through playwright-core, for the demo's browser tests. Where it is missing
 * the tests skip with a printed reason — except under CI (CI=true), where that is a failure
 * (`.ci/run` installs it).
 */
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const screenshotsDir = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url))

/** The browser, or the reason there is none (throws instead under CI). */
export async function launchChromium(): Promise<Browser | string> {
  if (!existsSync(CHROMIUM)) {
    const reason = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`
    if (process.env.CI === 'true') throw new Error(`${reason}: required under CI`)
    return reason
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    timeout: 30_000,
  })
}

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
