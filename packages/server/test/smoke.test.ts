import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startServer, TestClient, wsUrl } from './helpers.js'

test('connect, subscribe, publish, receive', async () => {
  const server = await startServer({ namespaces: [{ match: 'chat:*', presence: true }] })
  try {
    const { client: a, connected } = await TestClient.connect(wsUrl(server))
    assert.equal(connected.version, 1)
    const { client: b } = await TestClient.connect(wsUrl(server))
    const sub = await a.request({ type: 'subscribe', channel: 'chat:x' }, 'subscribed')
    assert.equal(sub.offset, 0)
    await b.request({ type: 'subscribe', channel: 'chat:x' }, 'subscribed')
    const ack = await b.request({ type: 'publish', channel: 'chat:x', data: { hi: 1 } }, 'ack')
    assert.equal(ack.offset, 1)
    const pub = await a.next('pub')
    assert.deepEqual(pub.data, { hi: 1 })
    assert.equal(pub.offset, 1)
    const pres = await a.request({ type: 'presence', channel: 'chat:x' }, 'presence')
    assert.equal(pres.members.length, 2)
    a.close()
    b.close()
  } finally {
    await server.close({ drainMs: 500 })
  }
})
