/**
 * The browser adapter reads the global WebSocket. Node 20 has none by default, so `ws`'s class
 * (which implements the WHATWG onopen/onmessage/onclose/onerror surface) stands in for it.
 */
import { after, before } from 'node:test'
import WebSocket from 'ws'
import { browserAdapter } from '../../src/adapters/browser.js'
import { runAdapterContract } from '../contract/adapter-contract.js'

const g = globalThis as { WebSocket?: unknown }
const previous = g.WebSocket
before(() => {
  g.WebSocket = WebSocket
})
after(() => {
  g.WebSocket = previous
})

runAdapterContract({
  name: 'browser',
  makeAdapter: () => browserAdapter(),
  skip: { headers: 'browsers cannot set request headers on a WebSocket upgrade (send the token through the token provider)' },
})
