/**
 * The run order of the peers: rotated once per repeat block, so that over the repeats each peer
 * runs at each place of the round (runner.ts peersInRunOrder), in every scenario's plan.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fullProfile, quickProfile, type PeerName } from '../src/config.js'
import { fanoutPlan, peersInRunOrder } from '../src/runner.js'

test('peersInRunOrder rotates one place per block and keeps every peer once', () => {
  const peers = ['a', 'b', 'c']
  assert.deepEqual(peersInRunOrder(peers, 0), ['a', 'b', 'c'])
  assert.deepEqual(peersInRunOrder(peers, 1), ['b', 'c', 'a'])
  assert.deepEqual(peersInRunOrder(peers, 2), ['c', 'a', 'b'])
  assert.deepEqual(peersInRunOrder(peers, 3), ['a', 'b', 'c'])
  assert.deepEqual(peersInRunOrder([], 4), [])
  assert.deepEqual(peers, ['a', 'b', 'c'], 'the input is left alone')
})

test('the full profile puts every peer at every place of the round, at each S', () => {
  const p = fullProfile()
  const plan = fanoutPlan(p)
  for (const subs of p.fanout.subs) {
    const rounds: PeerName[][] = []
    for (const s of plan.filter((x) => x.subs === subs)) {
      const repeat = s.fixed[0] ?? s.max[0]!
      ;(rounds[repeat] ??= []).push(s.peer)
    }
    assert.equal(rounds.length, p.fanout.repeats)
    for (const round of rounds) assert.deepEqual([...round].sort(), [...p.peers].sort(), `S=${subs}: each round runs every peer once`)
    // With at least as many repeats as peers, each peer takes each place once.
    const n = Math.min(rounds.length, p.peers.length)
    for (const peer of p.peers) {
      const places = new Set(rounds.slice(0, n).map((round) => round.indexOf(peer)))
      assert.equal(places.size, n, `S=${subs}: ${peer} runs at ${n} different places in the first ${n} rounds`)
    }
  }
})

test('the quick profile, one session per cell, keeps the listed order', () => {
  const p = quickProfile()
  const plan = fanoutPlan(p)
  const atFirstS = plan.filter((x) => x.subs === plan[0]!.subs).map((x) => x.peer)
  assert.deepEqual(atFirstS, p.peers)
})
