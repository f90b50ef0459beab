/**
 * The demo's channels and what may be published on them (docs/demo.md, "Channels").
 * A chat message that does not fit the shape below is refused with error 102 PermissionDenied.
 */
import type { Json } from '@minisocket/protocol'
import type { ChannelContext, NamespaceRule } from '@minisocket/server'

/** Limits of chat messages (documented in docs/demo.md). */
export const CHAT_LIMITS = { maxText: 1000, maxNick: 32, maxId: 64, history: 200 } as const

/** What a chat page publishes on `chat:ROOM`. `id` is chosen by the sender and makes re-renders idempotent. */
export interface ChatMessage {
  id: string
  nick: string
  text: string
  /** Sender's clock, ms since the epoch (display only). */
  at: number
}

/** What a chat page publishes (volatile) on `typing:ROOM`. */
export interface TypingSignal {
  nick: string
  typing: boolean
}

const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v)
const isText = (v: Json | undefined, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max

export function isChatMessage(data: Json | undefined): boolean {
  return isObject(data) && isText(data.id, CHAT_LIMITS.maxId) && isText(data.nick, CHAT_LIMITS.maxNick) && isText(data.text, CHAT_LIMITS.maxText) && typeof data.at === 'number'
}

export function isTypingSignal(data: Json | undefined): boolean {
  return isObject(data) && isText(data.nick, CHAT_LIMITS.maxNick) && typeof data.typing === 'boolean'
}

export const demoNamespaces: readonly NamespaceRule[] = [
  // Chat rooms: the last 200 messages for a day, presence, any connected page may post.
  { match: 'chat:*', historySize: CHAT_LIMITS.history, historyTtlMs: 24 * 60 * 60_000, presence: true, publish: (ctx: ChannelContext) => isChatMessage(ctx.data) },
  // Typing signals: live only (volatile publishes), no history.
  { match: 'typing:*', historySize: 0, publish: (ctx: ChannelContext) => isTypingSignal(ctx.data) },
  // Market ticks, published by the server only; a short history lets a reconnect recover the gap.
  { match: 'stock:*', historySize: 40, historyTtlMs: 60_000, publish: 'none' },
  // Admin samples, once a second; two minutes of history feed the chart on entry.
  { match: 'admin:*', historySize: 120, historyTtlMs: 5 * 60_000, publish: 'none' },
]
