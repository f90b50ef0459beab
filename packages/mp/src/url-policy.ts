/**
 * The network rules a socket URL and its headers go through before dialing
 * (research/platform-api.md §2.1.5, §7.15, §7.16).
 */
import type { Env, Platform } from './options.js'

export type UrlVerdict =
  | { ok: true; url: string }
  | { ok: false; kind: 'parameter' | 'scheme' | 'domain'; url: unknown }

export interface UrlPolicy {
  env: Env
  platform: Platform
  domains: readonly string[]
}

/**
 * Checks a connectSocket `url`. `parameter`: not a non-empty string; `scheme`: not ws:// or wss://;
 * `domain`: release build with a non-wss scheme, an IP/localhost host, or a host outside `domains`
 * ("socket 合法域名"; for wss any port is allowed; Alipay matches "以一级域名" so subdomains pass).
 */
export function checkUrl(url: unknown, policy: UrlPolicy): UrlVerdict {
  if (typeof url !== 'string' || url === '') return { ok: false, kind: 'parameter', url }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { ok: false, kind: 'scheme', url }
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return { ok: false, kind: 'scheme', url }
  if (policy.env === 'develop') return { ok: true, url }
  if (parsed.protocol !== 'wss:') return { ok: false, kind: 'domain', url }
  const host = parsed.hostname.toLowerCase()
  if (isIpOrLocal(host)) return { ok: false, kind: 'domain', url }
  const allowed = policy.domains.some((d) => {
    const domain = d.toLowerCase()
    return host === domain || (policy.platform === 'my' && host.endsWith(`.${domain}`))
  })
  return allowed ? { ok: true, url } : { ok: false, kind: 'domain', url }
}

function isIpOrLocal(host: string): boolean {
  return host === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[')
}

/** Platforms whose requests carry the servicewechat.com Referer (uni and Taro compile to WeChat by default). */
const WECHAT_REFERER: ReadonlySet<Platform> = new Set(['wx', 'qq', 'uni', 'taro'])

/**
 * "网络请求的 referer header 不可设置。其格式固定为 https://servicewechat.com/{appid}/{version}/page-frame.html"
 * — `devtools` in the IDE (our `develop`), the app version online. Other platforms also forbid
 * setting it ("header 不支持设置 referer 字段", Douyin) but their value is undocumented, so none is sent.
 */
export function buildHeaders(
  header: unknown,
  referer: { platform: Platform; env: Env; appId: string; appVersion: string },
): Record<string, string> {
  const out: Record<string, string> = {}
  if (typeof header === 'object' && header !== null) {
    for (const [k, v] of Object.entries(header as Record<string, unknown>)) {
      if (k.toLowerCase() === 'referer' || v === undefined || v === null) continue
      out[k] = String(v)
    }
  }
  if (WECHAT_REFERER.has(referer.platform)) {
    const version = referer.env === 'develop' ? 'devtools' : referer.appVersion
    out['Referer'] = `https://servicewechat.com/${referer.appId}/${version}/page-frame.html`
  }
  return out
}

/** WeChat accepts a plain string for `protocols` too (uni-app doc: "可以正常传递字符串"). */
export function normalizeProtocols(protocols: unknown): string[] {
  if (typeof protocols === 'string') return protocols === '' ? [] : [protocols]
  if (Array.isArray(protocols)) return protocols.filter((p): p is string => typeof p === 'string' && p !== '')
  return []
}

/** Alipay `data`: "会将数据转换成 querystring 形式拼在 url 上". */
export function appendQuery(url: string, data: unknown): string {
  if (typeof data !== 'object' || data === null) return url
  const query = Object.entries(data as Record<string, unknown>)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')
  if (query === '') return url
  return url + (url.includes('?') ? '&' : '?') + query
}
