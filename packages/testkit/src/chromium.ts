/**
 * Debian's Chromium through playwright-core (its own browser download does not work here), for
 * the browser tests. Where it is missing they skip with a printed reason — except under CI
 * (CI=true), where that is a failure: `.ci/run` installs it.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

/** Why there is no browser, or undefined when there is one. Throws under CI instead. */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined
  const reason = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`
  if (process.env['CI'] === 'true') throw new Error(`${reason}: required under CI`)
  return reason
}

/** The browser, or the reason there is none (throws instead under CI). */
export async function launchChromium(): Promise<Browser | string> {
  const missing = chromiumMissing()
  if (missing !== undefined) return missing
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the networking flags Chromium keeps dialing Google's hosts, refused on this network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    timeout: 30_000,
  })
}
