/** The client restates the retry rules of the protocol codes table as ranges (errors.ts); these keep them equal. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { allCodes, errorCodeInfo, isRetryableClose as table } from '@minisocket/protocol'
import { ClientError, isRetryableClose } from '../../src/core/errors.js'

test('isRetryableClose agrees with the codes table for every close code 0..65535', () => {
  const differ: number[] = []
  for (let code = 0; code <= 65_535; code++) if (isRetryableClose(code) !== table(code)) differ.push(code)
  assert.deepEqual(differ, [])
})

test('ClientError.retryable defaults to the table for every error code, and for unknown codes', () => {
  for (const code of [...Object.keys(allCodes().error).map(Number), 0, 99, 112, 150, 204, 999]) {
    assert.equal(new ClientError(code, 'x').retryable, errorCodeInfo(code).retryable, `code ${code}`)
  }
})

test('ClientError is an Error with name, code, message and an explicit retryable override', () => {
  const e = new ClientError(102, 'nope', true)
  assert.ok(e instanceof Error)
  assert.deepEqual([e.name, e.code, e.message, e.retryable], ['ClientError', 102, 'nope', true])
})
