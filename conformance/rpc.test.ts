/** Conformance: RPC calls, unknown methods and handler errors. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Json } from '@minisocket/protocol'
import type { RpcContext } from '@minisocket/server'
import { withServer } from './harness.js'

const rpc = {
  echo: (data: Json): Json => data,
  whoami: (_: Json, ctx: RpcContext): Json => ({ user: ctx.user, client: ctx.client, session: ctx.session }),
  later: async (data: Json): Promise<Json> => {
    await new Promise((r) => setTimeout(r, 10))
    return { later: data }
  },
  boom: (): Json => {
    throw new Error('boom')
  },
  boomAsync: async (): Promise<Json> => {
    throw new Error('async boom')
  },
}

test('rpc → reply with the handler result; the handler sees who called', async () => {
  await withServer({ rpc }, async (t) => {
    const { c, hello } = await t.connected()
    const echo = await c.call({ type: 'rpc', method: 'echo', data: { a: [1, 'two', null] } }, 'reply')
    assert.deepEqual(echo.data, { a: [1, 'two', null] })
    const who = await c.call({ type: 'rpc', method: 'whoami', data: null }, 'reply')
    assert.deepEqual(who.data, { user: hello.user, client: hello.client, session: hello.session })
    const later = await c.call({ type: 'rpc', method: 'later', data: 3 }, 'reply')
    assert.deepEqual(later.data, { later: 3 })
  })
})

test('concurrent calls are answered by id, whatever order they finish in', async () => {
  await withServer({ rpc }, async (t) => {
    const { c } = await t.connected()
    const [slow, fast] = await Promise.all([c.call({ type: 'rpc', method: 'later', data: 'slow' }, 'reply'), c.call({ type: 'rpc', method: 'echo', data: 'fast' }, 'reply')])
    assert.deepEqual([slow.data, fast.data], [{ later: 'slow' }, 'fast'])
  })
})

test('an unknown method → error 103 to that id; the connection stays', async () => {
  await withServer({ rpc }, async (t) => {
    const { c } = await t.connected()
    const id = c.nextId()
    c.send({ type: 'rpc', id, method: 'nope', data: null })
    const err = await c.nextOf('error', (e) => e.id === id)
    assert.equal(err.code, 103)
    assert.deepEqual((await c.call({ type: 'rpc', method: 'echo', data: 1 }, 'reply')).data, 1)
  })
})

test('a handler that throws (sync or async) → error 111 to that id; the connection stays', async () => {
  await withServer({ rpc }, async (t) => {
    const { c } = await t.connected()
    for (const method of ['boom', 'boomAsync']) {
      const reply = await c.request({ type: 'rpc', method, data: null })
      assert.equal(reply.type, 'error', method)
      assert.ok(reply.type === 'error' && reply.code === 111, `${method}: ${JSON.stringify(reply)}`)
    }
    assert.deepEqual((await c.call({ type: 'rpc', method: 'echo', data: 2 }, 'reply')).data, 2)
  })
})
