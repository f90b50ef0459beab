import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { MiniServer, ServerStats } from '../src/api.js'
import { createEventLoopMonitor, escapeLabel, renderMetrics } from '../src/metrics.js'

const stats: ServerStats = { connections: 3, channels: 2, subscriptions: 5, messagesIn: 41, messagesOut: 97, publications: 12, recentDisconnects: [] }
const server = { stats: () => stats } as unknown as MiniServer

// Text format 0.0.4: name, optional {label="value",...} with escaped values, a float, optional timestamp.
const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*")*\})? (-?[0-9.]+(e[-+]?[0-9]+)?|NaN|[+-]Inf)( -?[0-9]+)?$/
const helpLine = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$/
const typeLine = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/

/** Checks the grammar and the family structure; returns name → [labels, value] samples. */
function parseExposition(text: string): Map<string, Array<{ labels: string; value: number }>> {
  assert.ok(text.endsWith('\n'), 'ends with a line feed')
  const families = new Map<string, Array<{ labels: string; value: number }>>()
  const typed = new Map<string, string>()
  let current = ''
  for (const line of text.slice(0, -1).split('\n')) {
    const help = helpLine.exec(line)
    const type = typeLine.exec(line)
    if (help) {
      assert.ok(!families.has(help[1]!), `family ${help[1]} described once`)
      current = help[1]!
      families.set(current, [])
    } else if (type) {
      assert.equal(type[1], current, 'TYPE follows its HELP')
      typed.set(type[1]!, type[2]!)
    } else {
      const m = sampleLine.exec(line)
      assert.ok(m, `sample line matches the exposition grammar: ${JSON.stringify(line)}`)
      const base = m[1]!
      assert.equal(base, current, `sample ${base} belongs to the family above it`)
      assert.ok(typed.has(base), `${base} has a TYPE`)
      if (typed.get(base) === 'counter') assert.ok(base.endsWith('_total'), `counter ${base} ends in _total`)
      families.get(base)!.push({ labels: m[2] ?? '', value: Number(m[7]) })
    }
  }
  return families
}

test('renders every family in the 0.0.4 grammar with the values of stats()', () => {
  const families = parseExposition(renderMetrics(server))
  const value = (name: string) => families.get(name)?.[0]?.value
  assert.equal(value('minisocket_connections'), 3)
  assert.equal(value('minisocket_channels'), 2)
  assert.equal(value('minisocket_subscriptions'), 5)
  assert.equal(value('minisocket_messages_in_total'), 41)
  assert.equal(value('minisocket_messages_out_total'), 97)
  assert.equal(value('minisocket_publications_total'), 12)
  assert.ok(value('process_resident_memory_bytes')! > 1024 * 1024)
  assert.ok(value('process_cpu_seconds_total')! > 0)
  assert.ok(families.has('nodejs_eventloop_active_seconds_total'))
  assert.ok(!families.has('minisocket_info'), 'no info family without node/version')
})

test('explicit stats win over server.stats()', () => {
  const families = parseExposition(renderMetrics(server, { ...stats, connections: 99 }))
  assert.equal(families.get('minisocket_connections')?.[0]?.value, 99)
})

test('label values are escaped (a hostile node id cannot break the format)', () => {
  const nodeId = 'n"1\\\n# TYPE evil counter'
  const text = renderMetrics(server, stats, { nodeId, version: '0.1.0' })
  const families = parseExposition(text)
  assert.equal(families.get('minisocket_info')?.[0]?.labels, `{node="${escapeLabel(nodeId)}",version="0.1.0"}`)
  assert.ok(!text.includes('\n# TYPE evil'))
})

test('event-loop lag quantiles appear when a monitor is given', async () => {
  const monitor = createEventLoopMonitor(10)
  try {
    // Let the histogram take a few samples: bounded, 5 turns of ~15 ms.
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 15))
    const families = parseExposition(renderMetrics(server, stats, { eventLoopDelay: monitor.histogram }))
    const lag = families.get('nodejs_eventloop_lag_seconds')
    assert.deepEqual(lag?.map((s) => s.labels), ['{quantile="0.5"}', '{quantile="0.99"}', '{quantile="1"}'])
    assert.ok(lag!.every((s) => s.value >= 0))
  } finally {
    monitor.stop()
  }
})

test('the grammar check rejects malformed lines (the check itself can fail)', () => {
  const bad = ['# HELP m x\n# TYPE m gauge\nm{a="b} 1\n', '# HELP m x\n# TYPE m gauge\nm 1 2 3\n', '# HELP m x\n# TYPE m counter\nm 1\n', 'm 1\n']
  for (const text of bad) assert.throws(() => parseExposition(text), text)
})
