/**
 * Sync and async storage, the shared backend across two instances (an app kill and restart),
 * limits, and Alipay's object-style calls.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createMemoryStorage, createMiniProgram } from '@minisocket/mp'
import { flush } from './helpers.js'

test('sync storage round-trips JSON values as copies; a missing key reads as ""', () => {
  const mp = createMiniProgram({ platform: 'wx', clock: new FakeClock() })
  try {
    const value = { list: [1, 2], nested: { ok: true } }
    mp.api.setStorageSync('k', value)
    value.list.push(3)
    assert.deepEqual(mp.api.getStorageSync('k'), { list: [1, 2], nested: { ok: true } })
    assert.equal(mp.api.getStorageSync('missing'), '')
    mp.api.removeStorageSync('k')
    assert.equal(mp.api.getStorageSync('k'), '')
    mp.api.setStorageSync('a', 1)
    mp.api.setStorageSync('b', 'two')
    assert.deepEqual(mp.api.getStorageInfoSync().keys.sort(), ['a', 'b'])
    mp.api.clearStorageSync()
    assert.deepEqual(mp.api.getStorageInfoSync().keys, [])
  } finally {
    mp.dispose()
  }
})

test('an app kill and restart: a second instance over the same backend reads what the first wrote', () => {
  const storage = createMemoryStorage()
  const first = createMiniProgram({ platform: 'wx', storage, clock: new FakeClock() })
  first.api.setStorageSync('outbox', [{ id: 1 }, { id: 2 }])
  first.dispose()
  const second = createMiniProgram({ platform: 'uni', storage, clock: new FakeClock() })
  try {
    assert.deepEqual(second.api.getStorageSync('outbox'), [{ id: 1 }, { id: 2 }])
    assert.equal(second.storage, storage)
  } finally {
    second.dispose()
  }
})

test('sync storage errors throw Error("<api>:fail …") as WeChat does; limits are 1 MB per key and 10 MB in total', () => {
  const mp = createMiniProgram({ platform: 'wx', clock: new FakeClock() })
  try {
    assert.throws(() => mp.api.setStorageSync(1 as any, 'x'), { message: 'setStorageSync:fail parameter error: parameter.key should be String instead of Number;' })
    assert.throws(() => mp.api.setStorageSync('u', undefined), /setStorageSync:fail parameter error/)
    assert.throws(() => mp.api.setStorageSync('big', 'x'.repeat(1024 * 1024)), { message: 'setStorageSync:fail exceed storage item max length' })
    const chunk = 'y'.repeat(1000 * 1000)
    for (let i = 0; i < 10; i++) mp.api.setStorageSync(`c${i}`, chunk)
    assert.throws(() => mp.api.setStorageSync('c10', chunk), { message: 'setStorageSync:fail exceed storage max size 10MB' })
    mp.api.setStorageSync('c0', 'small')
    mp.api.setStorageSync('c10', chunk.slice(0, 900_000))
  } finally {
    mp.dispose()
  }
})

test('async storage: callbacks or a Promise (wx ≥ 2.10.2); getStorage of a missing key fails "data not found"', async () => {
  const mp = createMiniProgram({ platform: 'wx', clock: new FakeClock() })
  try {
    assert.deepEqual(await mp.api.setStorage({ key: 'k', data: { n: 1 } }), { errMsg: 'setStorage:ok' })
    assert.deepEqual(await mp.api.getStorage({ key: 'k' }), { data: { n: 1 }, errMsg: 'getStorage:ok' })
    const log: string[] = []
    mp.api.getStorage({ key: 'nope', fail: (r) => log.push(r.errMsg), complete: () => log.push('complete') })
    await flush()
    assert.deepEqual(log, ['getStorage:fail data not found', 'complete'])
    await assert.rejects(mp.api.getStorage({ key: 'nope' }), { errMsg: 'getStorage:fail data not found' })
    assert.deepEqual(await mp.api.removeStorage({ key: 'k' }), { errMsg: 'removeStorage:ok' })
    assert.deepEqual(await mp.api.clearStorage(), { errMsg: 'clearStorage:ok' })
  } finally {
    mp.dispose()
  }
})

test('Alipay storage takes objects: setStorageSync({key, data}), getStorageSync({key}) → {data} (null when absent)', async () => {
  const storage = createMemoryStorage()
  const my = createMiniProgram({ platform: 'my', storage, clock: new FakeClock() })
  const wx = createMiniProgram({ platform: 'wx', storage, clock: new FakeClock() })
  try {
    my.api.setStorageSync({ key: 'k', data: [1] })
    assert.deepEqual(my.api.getStorageSync({ key: 'k' }), { data: [1] })
    assert.deepEqual(my.api.getStorageSync({ key: 'none' }), { data: null })
    assert.deepEqual(wx.api.getStorageSync('k'), [1], 'same serialized format across platforms')
    assert.deepEqual(await my.api.getStorage({ key: 'k' }), { data: [1] })
    my.api.removeStorageSync({ key: 'k' })
    assert.deepEqual(my.api.getStorageSync({ key: 'k' }), { data: null })
  } finally {
    my.dispose()
    wx.dispose()
  }
})
