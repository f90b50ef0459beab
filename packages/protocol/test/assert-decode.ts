/** Assertions on DecodeResults shared by the codec tests. */
import assert from 'node:assert/strict'
import type { DecodeResult } from '../src/index.js'

/** Asserts a fatal decode error: the connection must close with `code`. */
export function assertFatal(result: DecodeResult<unknown>, code: number, message?: RegExp): void {
  assert.equal(result.ok, false, 'expected a decode error')
  if (result.ok) return
  assert.equal(result.error.fatal, true, `expected fatal, got ${JSON.stringify(result.error)}`)
  assert.equal(result.error.code, code)
  assert.equal(result.error.id, undefined, 'a fatal error carries no id')
  if (message) assert.match(result.error.message, message)
}

/** Asserts an error reply: BadRequest (100) for request `id`, the connection stays open. */
export function assertBadRequest(result: DecodeResult<unknown>, id: number, message?: RegExp): void {
  assert.equal(result.ok, false, 'expected a decode error')
  if (result.ok) return
  assert.deepEqual({ fatal: result.error.fatal, code: result.error.code, id: result.error.id }, { fatal: false, code: 100, id })
  if (message) assert.match(result.error.message, message)
}

export function frameOk<F>(result: DecodeResult<F>): F {
  if (!result.ok) assert.fail(`expected ok, got ${JSON.stringify(result.error)}`)
  return result.frame
}
