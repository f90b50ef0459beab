/** Limits the codec enforces on every inbound frame. Each is documented in docs/protocol.md. */
export interface CodecLimits {
  /** Largest frame, in UTF-16 code units of the text (a lower bound of its UTF-8 bytes). */
  maxFrameLength: number
  /** Deepest nesting of objects/arrays in `data` (the frame object itself is depth 1). */
  maxDepth: number
  /** Longest channel name. */
  maxChannelLength: number
  /** Longest RPC method name. */
  maxMethodLength: number
  /** Longest token, session id or client message id. */
  maxTokenLength: number
  /** Largest `limit` of a history query. */
  maxHistoryLimit: number
}

export const defaultCodecLimits: CodecLimits = {
  maxFrameLength: 64 * 1024,
  maxDepth: 32,
  maxChannelLength: 255,
  maxMethodLength: 128,
  maxTokenLength: 8 * 1024,
  maxHistoryLimit: 1000,
}

/** Channel and method names: printable ASCII without spaces, quotes or backslashes. */
export const NAME_PATTERN = /^[A-Za-z0-9_\-:.@/=+,!~*#$%&|]+$/
