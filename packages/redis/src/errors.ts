import { ErrorCode } from '@minisocket/protocol'

/**
 * Redis could not be reached (down, reconnecting, or a command timed out). The server maps it
 * to error 109 Unavailable (retryable). A publish that rejects with it may or may not have been
 * applied: retry with the same idempotency key (G4/G5) to land it exactly once.
 */
export class EngineUnavailableError extends Error {
  readonly code = ErrorCode.Unavailable
  constructor(operation: string, cause: unknown) {
    super(`redis unavailable during ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'EngineUnavailableError'
  }
}

/** Runs a Redis operation; any failure becomes an EngineUnavailableError naming the operation. */
export async function guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof EngineUnavailableError) throw err
    throw new EngineUnavailableError(operation, err)
  }
}

/** Rejects with EngineUnavailableError when `work` takes longer than `ms` (the work itself goes on). */
export async function withTimeout<T>(operation: string, work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EngineUnavailableError(operation, new Error(`no answer within ${ms} ms`))), ms)
  })
  try {
    return await Promise.race([work, expired])
  } finally {
    clearTimeout(timer)
  }
}
