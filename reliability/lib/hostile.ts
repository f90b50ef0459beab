/**
 * Runs hostile input at a fixture node and proves it survived: same pid, 0 uncaught exceptions
 * and unhandled rejections, prototypes untouched, still serving a healthy client.
 */
import assert from 'node:assert/strict'
import type { FixtureConfig, FixtureStatus } from './fixture/config.js'
import { assertSurvived, startNode, type NodeHandle } from './node-proc.js'
import { RawClient } from './raw-client.js'

export interface HostileRun {
  node: NodeHandle
  /** Status before any hostile input. */
  before: FixtureStatus
}

/** `healthyToken`: the token the final healthy client connects with (nodes with JWT auth). */
export async function withHostileNode(config: FixtureConfig, body: (run: HostileRun) => Promise<void>, healthyToken?: () => Promise<string>): Promise<FixtureStatus> {
  const node = await startNode(config)
  try {
    const before = await node.status()
    await body({ node, before })
    const after = await assertSurvived(node, before.pid, before.prototypeKeys)
    await assertServing(node, healthyToken === undefined ? undefined : await healthyToken())
    return after
  } finally {
    await node.stop()
  }
}

/** A fresh client connects and gets an RPC answered. */
export async function assertServing(node: NodeHandle, token?: string): Promise<void> {
  const c = await RawClient.connect(node.url, token === undefined ? {} : { token })
  try {
    const reply = await c.request({ type: 'rpc', method: 'echo', data: 'still serving' })
    assert.deepEqual(reply.data, 'still serving', `healthy client answered: ${JSON.stringify(reply)}`)
  } finally {
    c.terminate()
  }
}
