/**
 * Field rules, table-driven: each case patches a valid golden frame (a patch value of `undefined`
 * removes the field) and says whether it must decode, or fail with BadRequest naming the field.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decodeClientFrame, decodeServerFrame, type DecodeResult, defaultCodecLimits as L } from '../src/index.js'
import { assertBadRequest, assertFatal, frameOk } from './assert-decode.js'
import { clientGolden, serverGolden } from './fixtures.js'

type Case = [type: string, patch: Record<string, unknown>, expect: 'ok' | RegExp]

const MAX = Number.MAX_SAFE_INTEGER
const s = (n: number): string => 'a'.repeat(n)

const clientCases: Case[] = [
  ['connect', { versions: [] }, /versions/],
  ['connect', { versions: [0] }, /versions/],
  ['connect', { versions: ['1'] }, /versions/],
  ['connect', { versions: [1.5] }, /versions/],
  ['connect', { versions: Array.from({ length: 16 }, (_, i) => i + 1) }, 'ok'],
  ['connect', { versions: Array.from({ length: 17 }, (_, i) => i + 1) }, /versions/],
  ['connect', { versions: undefined }, /versions/],
  ['connect', { token: s(L.maxTokenLength) }, 'ok'],
  ['connect', { token: s(L.maxTokenLength + 1) }, /token/],
  ['connect', { token: 5 }, /token/],
  ['connect', { session: s(128) }, 'ok'],
  ['connect', { session: s(129) }, /session/],
  ['connect', { info: [1, { nick: 'x' }] }, 'ok'],
  ['subscribe', { channel: s(L.maxChannelLength) }, 'ok'],
  ['subscribe', { channel: s(L.maxChannelLength + 1) }, /channel/],
  ['subscribe', { channel: 'a b' }, /channel/],
  ['subscribe', { channel: 'канал' }, /channel/],
  ['subscribe', { channel: 'a"b' }, /channel/],
  ['subscribe', { channel: 'a\\b' }, /channel/],
  ['subscribe', { channel: 'a\nb' }, /channel/],
  ['subscribe', { channel: 'chat:room-1/a.b@c=d+e,f!g~h*i#j$k%l&m|n_o' }, 'ok'],
  ['subscribe', { channel: 5 }, /channel/],
  ['subscribe', { channel: undefined }, /channel/],
  ['subscribe', { since: 'e:5' }, /since/],
  ['subscribe', { since: null }, /since/],
  ['subscribe', { since: [] }, /since/],
  ['subscribe', { since: { epoch: 'e' } }, /offset/],
  ['subscribe', { since: { offset: 1 } }, /epoch/],
  ['subscribe', { since: { epoch: 'e', offset: -1 } }, /offset/],
  ['subscribe', { since: { epoch: 'e', offset: 1.5 } }, /offset/],
  ['subscribe', { since: { epoch: 'e', offset: '3' } }, /offset/],
  ['subscribe', { since: { epoch: 'e', offset: MAX } }, 'ok'],
  ['subscribe', { since: { epoch: 'e', offset: MAX + 1 } }, /offset/],
  ['subscribe', { since: { epoch: 'e', offset: 1e300 } }, /offset/],
  ['subscribe', { since: { epoch: s(64), offset: 0 } }, 'ok'],
  ['subscribe', { since: { epoch: s(65), offset: 0 } }, /epoch/],
  ['subscribe', { since: { epoch: 3, offset: 0 } }, /epoch/],
  ['unsubscribe', { channel: undefined }, /channel/],
  ['publish', { data: null }, 'ok'],
  ['publish', { data: undefined }, /data is required/],
  ['publish', { mid: s(128) }, 'ok'],
  ['publish', { mid: s(129) }, /mid/],
  ['publish', { mid: 1 }, /mid/],
  ['rpc', { method: s(L.maxMethodLength) }, 'ok'],
  ['rpc', { method: s(L.maxMethodLength + 1) }, /method/],
  ['rpc', { method: 'do it' }, /method/],
  ['rpc', { method: undefined }, /method/],
  ['presence', { channel: '' }, /channel/],
  ['history', { limit: 0 }, /limit/],
  ['history', { limit: 1 }, 'ok'],
  ['history', { limit: L.maxHistoryLimit }, 'ok'],
  ['history', { limit: L.maxHistoryLimit + 1 }, /limit/],
  ['history', { limit: '5' }, /limit/],
  ['history', { limit: 2.5 }, /limit/],
  ['history', { since: { epoch: 'e', offset: -2 } }, /offset/],
  ['state', { state: 'busy' }, /state/],
  ['state', { state: 'ONLINE' }, /state/],
  ['state', { state: undefined }, /state/],
]

const serverCases: Case[] = [
  ['connected', { version: 0 }, /version/],
  ['connected', { time: -1 }, /time/],
  ['connected', { maxMessageSize: 0 }, /maxMessageSize/],
  ['connected', { resumed: 'no' }, /resumed/],
  ['connected', { session: s(129) }, /session/],
  ['subscribed', { offset: MAX + 1 }, /offset/],
  ['subscribed', { recovered: 1 }, /recovered/],
  ['subscribed', { publications: {} }, /publications/],
  ['subscribed', { publications: [1] }, /publications/],
  ['subscribed', { publications: [{ offset: 1 }] }, /data is required/],
  ['subscribed', { publications: [{ data: 1, offset: -1 }] }, /offset/],
  ['subscribed', { publications: [{ data: 1, info: { client: 'c' } }] }, /user/],
  ['ack', { offset: 1.5 }, /offset/],
  ['ack', { duplicate: 'yes' }, /duplicate/],
  ['presence', { members: [{ client: 'c', user: 'u', state: 'busy' }] }, /state/],
  ['presence', { members: [{ client: 'c', state: 'online' }] }, /user/],
  ['history', { epoch: undefined }, /epoch/],
  ['history', { publications: undefined }, /publications/],
  ['state', { state: 'gone' }, /state/],
]

/** Server frames without a positive id: every bad field is fatal. */
const serverFatalCases: Case[] = [
  ['subscribed', { id: 0, channel: 5 }, /channel/],
  ['subscribed', { id: -1 }, /id/],
  ['pub', { offset: MAX + 1 }, /offset/],
  ['pub', { data: undefined }, /data/],
  ['pub', { info: 'ann' }, /info/],
  ['join', { member: null }, /member/],
  ['leave', { member: { client: 'c', user: 'u', state: 'left' } }, /state/],
  ['disconnect', { code: 999 }, /code/],
  ['disconnect', { reason: s(124) }, /reason/],
  ['disconnect', { reconnect: undefined }, /reconnect/],
  ['disconnect', { retryAfter: -5 }, /retryAfter/],
  ['error', { id: undefined, code: undefined }, /code/],
  ['error', { id: undefined, message: s(1025) }, /message/],
]

function base<F extends { type: string }>(golden: ReadonlyArray<{ frame: F }>, type: string): Record<string, unknown> {
  // The richest fixture of the type, so that patches of optional fields have company.
  const all = golden.filter((g) => g.frame.type === type).map((g) => g.frame)
  const richest = all.reduce<F | undefined>((best, f) => (best === undefined || Object.keys(f).length > Object.keys(best).length ? f : best), undefined)
  assert.ok(richest, `no golden frame of type ${type}`)
  return { ...richest }
}

function run(cases: Case[], golden: ReadonlyArray<{ frame: { type: string } }>, decode: (text: string) => DecodeResult<unknown>, fatal = false): void {
  for (const [type, patch, expected] of cases) {
    test(`${type} ${JSON.stringify(patch).slice(0, 70)} → ${expected === 'ok' ? 'ok' : fatal ? 'fatal' : 'BadRequest'}`, () => {
      const frame = { ...base(golden, type), ...patch }
      const result = decode(JSON.stringify(frame))
      if (expected === 'ok') assert.deepEqual(frameOk(result), JSON.parse(JSON.stringify(frame)))
      else if (fatal) assertFatal(result, 4503, expected)
      else assertBadRequest(result, frame['id'] as number, expected)
    })
  }
}

describe('client frame fields', () => run(clientCases, clientGolden, decodeClientFrame))
describe('server frame fields', () => run(serverCases, serverGolden, decodeServerFrame))
describe('server frame fields without a request id', () => run(serverFatalCases, serverGolden, decodeServerFrame, true))

describe('defaults and unknown fields', () => {
  test('rpc without data decodes with data null', () => {
    assert.deepEqual(frameOk(decodeClientFrame('{"type":"rpc","id":1,"method":"time"}')), { type: 'rpc', id: 1, method: 'time', data: null })
  })

  test('unknown fields are dropped at the top level of every frame type', () => {
    const withExtras = (frame: object): string => JSON.stringify({ extra: { deep: [1] }, ...frame, zz: 'ignored', ID: 3 })
    for (const g of clientGolden) assert.deepEqual(frameOk(decodeClientFrame(withExtras(g.frame))), g.frame, g.name)
    for (const g of serverGolden) assert.deepEqual(frameOk(decodeServerFrame(withExtras(g.frame))), g.frame, g.name)
  })

  test('unknown fields are dropped inside positions, publications, publisher info and members', () => {
    const sub = frameOk(decodeClientFrame('{"type":"subscribe","id":1,"channel":"c","since":{"epoch":"e","offset":2,"x":1}}'))
    assert.deepEqual(sub, { type: 'subscribe', id: 1, channel: 'c', since: { epoch: 'e', offset: 2 } })
    const subd = frameOk(decodeServerFrame('{"type":"subscribed","id":1,"channel":"c","publications":[{"data":1,"offset":3,"x":1,"info":{"client":"a","user":"b","x":2}}]}'))
    assert.deepEqual(subd, { type: 'subscribed', id: 1, channel: 'c', publications: [{ data: 1, offset: 3, info: { client: 'a', user: 'b' } }] })
    const pres = frameOk(decodeServerFrame('{"type":"presence","id":1,"channel":"c","members":[{"client":"a","user":"b","state":"away","x":1}]}'))
    assert.deepEqual(pres, { type: 'presence', id: 1, channel: 'c', members: [{ client: 'a', user: 'b', state: 'away' }] })
  })

  test('ping and pong carry no fields', () => {
    assert.deepEqual(frameOk(decodeClientFrame('{"type":"ping","id":"x","data":[1]}')), { type: 'ping' })
    assert.deepEqual(frameOk(decodeServerFrame('{"type":"pong","id":-1}')), { type: 'pong' })
  })
})
