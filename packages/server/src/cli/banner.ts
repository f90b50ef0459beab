/** The human startup banner of `minisocket serve`: where everything is, and what is switched on. */
import type { NamespaceRule } from '../api.js'

export interface BannerInfo {
  version: string
  host: string
  port: number
  path: string
  apiKey: boolean
  auth: string
  namespaces: readonly NamespaceRule[] | undefined
  allowedOrigins: readonly string[] | undefined
}

export function renderBanner(info: BannerInfo): string {
  const wildcard = info.host === '0.0.0.0' || info.host === '::'
  const host = wildcard ? 'localhost' : info.host.includes(':') ? `[${info.host}]` : info.host
  const http = `http://${host}:${info.port}`
  const lines = [
    `minisocket ${info.version} — listening on ${info.host}:${info.port}${wildcard ? ' (all interfaces)' : ''}`,
    '',
    `  WebSocket   ws://${host}:${info.port}${info.path}`,
    `  HTTP API    ${http}/api/publish  ${info.apiKey ? '(API key required)' : '(disabled: set MINISOCKET_API_KEY)'}`,
    `  Health      ${http}/health`,
    `  Metrics     ${http}/metrics`,
    `  Auth        ${info.auth}`,
    `  Origins     ${info.allowedOrigins === undefined ? 'any (no allowlist)' : info.allowedOrigins.join(', ')}`,
    `  Namespaces  ${describeNamespaces(info.namespaces)}`,
    '',
    'Press Ctrl-C to stop (clients get a disconnect with reconnect advice).',
  ]
  return lines.join('\n') + '\n'
}

function describeNamespaces(namespaces: readonly NamespaceRule[] | undefined): string {
  if (namespaces === undefined || namespaces.length === 0) return 'none configured: every channel gets the defaults (history 100, no presence)'
  return namespaces
    .map((ns) => {
      const parts: string[] = []
      const size = ns.historySize ?? 100
      parts.push(size > 0 ? `history ${size}` : 'no history')
      if (ns.presence === true) parts.push('presence')
      if (ns.publish !== undefined && typeof ns.publish === 'string') parts.push(`publish: ${ns.publish}`)
      return `${String(ns.match)} (${parts.join(', ')})`
    })
    .join('\n              ')
}
