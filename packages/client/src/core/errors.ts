import { ErrorCode } from '@minisocket/protocol'

/**
 * The retry rules of the codes table in @minisocket/protocol (codes.ts), restated as ranges
 * because the table with its prose meanings costs about 1 KB gzip, a sixth of the client's size
 * budget. test/core/codes.test.ts checks both functions against the table for every code, so
 * the table stays the single source of truth.
 */
export const isRetryableClose = (code: number): boolean => !(code === 1000 || code === 1008 || (code >= 4500 && code < 5000))

const retryableErrors: readonly number[] = [ErrorCode.Timeout, ErrorCode.Internal, ErrorCode.Unavailable, ErrorCode.Disconnected]

/**
 * Every failure the client reports: an `error` reply from the server (codes 100-111) or a
 * client-side condition (200 Disconnected, 201 Closed, 202 OutboxOverflow, 203 TooLarge).
 * Codes are the ErrorCode table of @minisocket/protocol (docs/codes.md).
 *
 * @example
 * try { await client.rpc('missing') } catch (e) {
 *   if (e instanceof ClientError && e.code === ErrorCode.MethodNotFound) { ... }
 * }
 */
export class ClientError extends Error {
  // `declare` and assignments in the constructor, not class fields: built for a target before
  // ES2022 (what mini-program toolchains use), each field would become a defineProperty helper
  // call, about 100 B gzip of the 8 KB budget (bench sizes, es2020).
  /** An ErrorCode from @minisocket/protocol. */
  declare readonly code: number
  /** True when trying again later may succeed. */
  declare readonly retryable: boolean

  constructor(code: number, message: string, retryable = retryableErrors.includes(code)) {
    super(message)
    this.name = 'ClientError'
    this.code = code
    this.retryable = retryable
  }
}
