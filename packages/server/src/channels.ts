/**
 * Channel namespaces: the first rule whose pattern matches a channel decides its history,
 * presence and permissions. Without `namespaces`, every valid channel name gets the defaults.
 */
import type { ChannelContext, ChannelRules, Logger, NamespaceRule } from './api.js'
import type { HistoryOptions } from './engine/types.js'

type Policy = NonNullable<ChannelRules['publish']> | NonNullable<ChannelRules['subscribe']>

export interface ChannelRule {
  historySize: number
  historyTtlMs: number
  presence: boolean
  subscribe: Policy
  publish: Policy
  read: Policy
}

const DEFAULT_RULE: NamespaceRule = { match: /^/ }

function matcher(match: string | RegExp): (channel: string) => boolean {
  if (match instanceof RegExp) {
    // A copy without the g/y flags: those make test() stateful through lastIndex.
    const re = new RegExp(match.source, match.flags.replace(/[gy]/g, ''))
    return (channel) => re.test(channel)
  }
  if (match.endsWith('*')) {
    const prefix = match.slice(0, -1)
    return (channel) => channel.startsWith(prefix)
  }
  return (channel) => channel === match
}

export class ChannelRegistry {
  private readonly rules: Array<{ test: (channel: string) => boolean; rule: ChannelRule }>

  constructor(namespaces: readonly NamespaceRule[] | undefined) {
    this.rules = (namespaces ?? [DEFAULT_RULE]).map((ns) => {
      const size = ns.historySize ?? 100
      if (!Number.isInteger(size) || size < 0) throw new TypeError(`minisocket: historySize must be an integer >= 0 (namespace ${String(ns.match)})`)
      const subscribe = ns.subscribe ?? 'all'
      return {
        test: matcher(ns.match),
        rule: {
          historySize: size,
          historyTtlMs: ns.historyTtlMs ?? 5 * 60_000,
          presence: ns.presence ?? false,
          subscribe,
          publish: ns.publish ?? 'subscribers',
          read: ns.read ?? subscribe,
        },
      }
    })
  }

  /** The rule of the first namespace matching, or undefined (→ error 101). */
  resolve(channel: string): ChannelRule | undefined {
    for (const { test, rule } of this.rules) if (test(channel)) return rule
    return undefined
  }
}

export function historyOptions(rule: ChannelRule): HistoryOptions | undefined {
  return rule.historySize > 0 ? { size: rule.historySize, ttlMs: rule.historyTtlMs } : undefined
}

/**
 * Applies a policy. 'subscribers' needs `subscribed`; a callback that throws denies (and is
 * logged) rather than failing the connection.
 */
export async function permits(policy: Policy, ctx: ChannelContext, subscribed: boolean, logger: Logger): Promise<boolean> {
  switch (policy) {
    case 'all':
      return true
    case 'none':
      return false
    case 'authenticated':
      return ctx.user !== ''
    case 'subscribers':
      return subscribed
    default:
      try {
        return (await policy(ctx)) === true
      } catch (err) {
        logger.warn('channel permission callback threw', { channel: ctx.channel, error: (err as Error)?.message })
        return false
      }
  }
}
