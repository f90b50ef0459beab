/** Errors with a protocol error code (@minisocket/protocol ErrorCode), thrown to callers and handlers. */
import { ErrorCode } from '@minisocket/protocol'

/**
 * Thrown by an RPC handler to send this code and message to the caller.
 * Any other error thrown by a handler becomes code 111 (HandlerError) with the error's message.
 *
 * @example
 * rpc: { buy: (data) => { if (!ok(data)) throw new RpcError(400, 'out of stock'); return { done: true } } }
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
    this.name = 'RpcError'
  }
}

/**
 * A request the server refused, with the ErrorCode a client would get in an `error` reply.
 * Thrown by MiniServer.publish/history/presence (e.g. 101 unknown channel, 110 history off,
 * 109 broker unavailable), so the HTTP API can map it to a status.
 */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'RequestError'
  }
}

export function unavailable(err: unknown): RequestError {
  return err instanceof RequestError ? err : new RequestError(ErrorCode.Unavailable, 'broker unavailable')
}
