import type { FrameSpec } from './ws-frame.js'

/** `toServer`: client → target (masked frames). `toClient`: target → client (unmasked). */
export type Direction = 'toServer' | 'toClient'

/** Where a pause or throttle applies. */
export type DirectionSelector = Direction | 'both'

/**
 * A WebSocket message or control frame as seen by rule matchers. Fragmented data messages are
 * reassembled first (a rule sees the whole message once, and acts on all of its fragments).
 */
export interface ProxyFrame {
  direction: Direction
  /** Id of the proxied connection (1, 2, ... in accept order). */
  connection: number
  opcode: number
  /** RSV1 set: permessage-deflate payload, so `text()`/`json()` see compressed bytes. */
  compressed: boolean
  /** Number of wire frames this message came in (1 unless fragmented). */
  fragments: number
  /** Unmasked payload (all fragments joined). */
  payload: Buffer
  /** The payload as UTF-8. */
  text(): string
  /** The payload parsed as JSON for text frames; undefined if not text or not JSON. */
  json(): unknown
}

/**
 * What a matching rule does with the frame:
 * - `drop`: the frame never reaches the other side.
 * - `cut`: the TCP connections are destroyed, no close frame (the client sees 1006).
 * - `{ close }`: a close frame with that code goes to both sides, then TCP ends.
 * - `{ replaceWith }`: the frame is swapped for what the function returns (none, one or several).
 * - `pass`: forward unchanged, but count the hit (a tap for assertions).
 */
export type RuleAction =
  | 'drop'
  | 'cut'
  | 'pass'
  | { close: number; reason?: string }
  | { replaceWith: (frame: ProxyFrame) => FrameSpec | readonly FrameSpec[] | null }

/** A frame rule. Rules are tried in the order added; the first match acts. */
export interface FrameRule {
  /** Defaults to both directions. */
  direction?: DirectionSelector
  match: (frame: ProxyFrame) => boolean
  action: RuleAction
  /** Only frames of this connection id. */
  connection?: number
  /** Act on at most this many frames, then the rule is inert (default: unlimited). */
  times?: number
}

/** Returned by `addRule`: how often the rule acted, and a way to remove it. */
export interface RuleHandle {
  readonly hits: number
  remove(): void
}

/** Counters per direction. `frames` counts wire frames parsed; `bytes` counts bytes written out. */
export interface DirectionCounters {
  frames: number
  bytes: number
  dropped: number
  injected: number
  replaced: number
}

export interface ProxyCounters {
  /** TCP connections accepted (refused ones included). */
  connections: number
  refused: number
  open: number
  toServer: DirectionCounters
  toClient: DirectionCounters
}

/** Connection lifecycle, one state machine per connection (see proxy-connection.ts). */
export type ConnectionState = 'connecting' | 'handshake' | 'open' | 'raw' | 'closing' | 'closed'

export interface ConnectionInfo {
  id: number
  state: ConnectionState
  /** Request target of the HTTP upgrade (e.g. `/ws?token=...`), once seen. */
  url: string | undefined
  toServer: DirectionCounters
  toClient: DirectionCounters
}

/** Entries of the proxy's event log (bounded: the oldest are dropped past `maxEvents`). */
export type ProxyEvent =
  | { at: number; kind: 'connect'; connection: number }
  | { at: number; kind: 'refuse'; connection: number; mode: RefuseMode }
  | { at: number; kind: 'upgrade'; connection: number; url: string; status: number }
  | { at: number; kind: 'rule'; connection: number; direction: Direction; opcode: number; action: string }
  | { at: number; kind: 'cut'; connection: number }
  | { at: number; kind: 'close'; connection: number; code: number }
  | { at: number; kind: 'raw'; connection: number; direction: Direction; reason: string }
  | { at: number; kind: 'end'; connection: number }

/**
 * How a refused connect behaves: `destroy` accepts then closes (FIN), `reset` accepts then
 * resets (RST), `hang` accepts and never forwards (the client waits for a handshake that never comes).
 */
export type RefuseMode = 'destroy' | 'reset' | 'hang'
