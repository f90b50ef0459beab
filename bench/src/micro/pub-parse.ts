/**
 * What a subscriber pays to read one live publication, by wire form: protocol v1's object,
 * v2's compact array (epoch left off, as on most publications) and the ws peers' bare payload,
 * each carrying the fan-out scenario's data. JSON.parse plus reading the data, N times, one
 * core. bench/analysis.md quotes it.
 *   taskset -c 1 node --import tsx bench/src/micro/pub-parse.ts [parses=2000000] [rounds=3]
 */
import { encodeCompactPub, encodeFrame, type PubFrame } from '@minisocket/protocol'

const data = { s: 123_456, t: 1_796_141_166_128_123, p: 'x'.repeat(48) }
const frame: PubFrame = { type: 'pub', channel: 'bench', data, epoch: 'a1b2c3d4e5f6', offset: 123_456 }
const forms: Array<[string, string, (parsed: unknown) => unknown]> = [
  ['v1 object', encodeFrame(frame), (f) => (f as { data: typeof data }).data.s],
  ['v2 compact', encodeCompactPub(frame, false), (f) => (f as [string, string, typeof data])[2].s],
  ['ws peers (payload only)', JSON.stringify(data), (f) => (f as typeof data).s],
  // The v2 envelope built up one field at a time: what each costs the receiver.
  ['[data]', JSON.stringify([data]), (f) => (f as [typeof data])[0].s],
  ['["p",data]', JSON.stringify(['p', data]), (f) => (f as [string, typeof data])[1].s],
  ['["p","bench",data]', JSON.stringify(['p', 'bench', data]), (f) => (f as [string, string, typeof data])[2].s],
]

const parses = Number(process.argv[2] ?? 2_000_000)
const rounds = Number(process.argv[3] ?? 3)
for (let round = 1; round <= rounds; round++) {
  for (const [name, text, read] of forms) {
    let sink = 0
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < parses; i++) sink += read(JSON.parse(text)) as number
    const ns = Number(process.hrtime.bigint() - t0) / parses
    if (sink !== data.s * parses) throw new Error('read the wrong field')
    console.log(`round ${round}: ${name.padEnd(24)} ${String(text.length).padStart(4)} B  ${ns.toFixed(0)} ns per parse`)
  }
}
