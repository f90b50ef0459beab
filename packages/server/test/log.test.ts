import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FakeClock } from '@minisocket/testkit'
import { createJsonLogger, isSensitiveField, REDACTED } from '../src/log.js'

function capture(level: 'debug' | 'info' | 'warn' | 'error' | 'silent' = 'debug') {
  const lines: string[] = []
  const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5))
  const logger = createJsonLogger({ level, nodeId: 'n1', clock, stream: { write: (s: string) => lines.push(s) } })
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

test('writes one JSON object per line with time, level, node and msg', () => {
  const { logger, lines, parsed } = capture()
  logger.info('client connected', { user: 'alice', code: 1000 })
  assert.equal(lines.length, 1)
  assert.ok(lines[0]!.endsWith('\n'))
  assert.deepEqual(parsed()[0], { time: '2026-01-02T03:04:05.000Z', level: 'info', node: 'n1', msg: 'client connected', user: 'alice', code: 1000 })
})

test('redacts token, authorization, password, data, body, secret and apiKey at any depth', () => {
  const { logger, lines, parsed } = capture()
  const secrets = {
    token: 'tok-SECRET-1',
    authorization: 'Bearer tok-SECRET-2',
    password: 'pw-SECRET-3',
    data: { text: 'body-SECRET-4' },
    body: 'body-SECRET-5',
    secret: 'sec-SECRET-6',
    apiKey: 'key-SECRET-7',
    nested: { 'x-api-key': 'key-SECRET-8', accessToken: 'tok-SECRET-9', list: [{ jwt_secret: 'sec-SECRET-10' }] },
  }
  logger.warn('auth failed', secrets)
  assert.ok(!lines.join('').includes('SECRET'), lines.join(''))
  const line = parsed()[0]!
  for (const key of ['token', 'authorization', 'password', 'data', 'body', 'secret', 'apiKey']) assert.equal(line[key], REDACTED, key)
  assert.deepEqual(line.nested, { 'x-api-key': REDACTED, accessToken: REDACTED, list: [{ jwt_secret: REDACTED }] })
})

test('strips query strings from url fields (browser tokens travel in ?token=)', () => {
  const { logger, lines } = capture()
  logger.info('upgrade', { url: '/ws?token=eyJ-SECRET', path: '/ws' })
  assert.ok(!lines[0]!.includes('SECRET'))
  assert.ok(lines[0]!.includes('"url":"/ws?[redacted]"'))
})

test('fields cannot overwrite the envelope', () => {
  const { logger, parsed } = capture()
  logger.error('boom', { level: 'debug', msg: 'fake', time: 0 })
  const line = parsed()[0]!
  assert.equal(line.level, 'error')
  assert.equal(line.msg, 'boom')
  assert.equal(line['field.level'], 'debug')
})

test('a node field fills the envelope when no nodeId is set, and is not repeated when equal', () => {
  const lines: string[] = []
  const noNode = createJsonLogger({ stream: { write: (s: string) => lines.push(s) } })
  noNode.info('listening', { node: 'node-7' })
  const withNode = createJsonLogger({ nodeId: 'n1', stream: { write: (s: string) => lines.push(s) } })
  withNode.info('same', { node: 'n1' })
  withNode.info('other', { node: 'n2' })
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.equal(parsed[0]!.node, 'node-7')
  assert.deepEqual([parsed[1]!.node, parsed[1]!['field.node']], ['n1', undefined])
  assert.deepEqual([parsed[2]!.node, parsed[2]!['field.node']], ['n1', 'n2'])
})

test('filters by level; silent writes nothing', () => {
  const warnOnly = capture('warn')
  warnOnly.logger.debug('d')
  warnOnly.logger.info('i')
  warnOnly.logger.warn('w')
  warnOnly.logger.error('e')
  assert.deepEqual(warnOnly.parsed().map((l) => l.msg), ['w', 'e'])
  const silent = capture('silent')
  silent.logger.error('e')
  assert.equal(silent.lines.length, 0)
})

test('survives cycles, errors, bigints, huge strings and a throwing stream', () => {
  const { logger, parsed } = capture()
  const cyclic: Record<string, unknown> = { a: 1 }
  cyclic.self = cyclic
  logger.info('odd', { cyclic, err: Object.assign(new Error('nope'), { code: 'E1' }), n: 10n, big: 'x'.repeat(10_000), inf: Infinity })
  const line = parsed()[0]!
  assert.deepEqual(line.cyclic, { a: 1, self: '[circular]' })
  assert.deepEqual(line.err, { name: 'Error', message: 'nope', code: 'E1' })
  assert.equal(line.n, '10')
  assert.equal(line.inf, 'Infinity')
  assert.ok((line.big as string).length < 2100)
  const broken = createJsonLogger({ stream: { write: () => { throw new Error('EPIPE') } } })
  assert.doesNotThrow(() => broken.error('still fine'))
})

test('isSensitiveField matches the documented names case-insensitively', () => {
  for (const name of ['TOKEN', 'Authorization', 'refresh_token', 'X-API-KEY', 'api_key', 'Password', 'clientSecret', 'Data', 'cookie'])
    assert.ok(isSensitiveField(name), name)
  for (const name of ['user', 'channel', 'code', 'reason', 'ip', 'origin']) assert.ok(!isSensitiveField(name), name)
})
