import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createEmitter } from '../../src/core/emitter.js'

const quiet = () => {
  const logged: string[] = []
  return { logged, logger: { debug() {}, info() {}, warn() {}, error: (m: string) => logged.push(m) } }
}

test('on() returns its off(): exactly that listener is detached', () => {
  const { logger } = quiet()
  const e = createEmitter<{ n: number }>(logger)
  const a: number[] = []
  const b: number[] = []
  const offA = e.on('n', (v) => a.push(v))
  e.on('n', (v) => b.push(v))
  e.emit('n', 1)
  offA()
  offA()
  e.emit('n', 2)
  assert.deepEqual([a, b], [[1], [1, 2]])
})

test('error with no listener does not throw; a throwing listener is logged and the others still run', () => {
  const { logger, logged } = quiet()
  const e = createEmitter<{ error: Error; x: number }>(logger)
  e.emit('error', new Error('unheard'))
  const seen: number[] = []
  e.on('x', () => {
    throw new Error('bad listener')
  })
  e.on('x', (v) => seen.push(v))
  e.emit('x', 5)
  assert.deepEqual(seen, [5])
  assert.deepEqual(logged, ['listener threw'])
})

test('a listener added or removed during an emit does not change that emit', () => {
  const { logger } = quiet()
  const e = createEmitter<{ x: number }>(logger)
  const seen: string[] = []
  let offB = (): void => {}
  e.on('x', () => {
    seen.push('a')
    offB()
    e.on('x', () => seen.push('late'))
  })
  offB = e.on('x', () => seen.push('b'))
  e.emit('x', 1)
  assert.deepEqual(seen, ['a', 'b'])
  e.clear()
  e.emit('x', 2)
  assert.deepEqual(seen, ['a', 'b'])
})
