/** Structured logger, injected. The client never logs tokens or message bodies. Default: silent. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

const nothing = (): void => {}

export const silentLogger: Logger = { debug: nothing, info: nothing, warn: nothing, error: nothing }
