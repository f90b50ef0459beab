/** The frames shown in docs/protocol.md are real: each one decodes, in the direction shown. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { decodeClientFrame, decodeServerFrame } from '../src/index.js'

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8')

function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`)
  assert.ok(start >= 0, `docs/protocol.md has no "## ${title}"`)
  const end = doc.indexOf('\n## ', start + 1)
  return doc.slice(start, end < 0 ? undefined : end)
}

function jsonLines(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('{"type"') || l.startsWith('["p"'))
}

test('every example under "Frames, client → server" decodes as a client frame', () => {
  const lines = jsonLines(section('Frames, client → server'))
  assert.ok(lines.length >= 10)
  for (const line of lines) assert.equal(decodeClientFrame(line).ok, true, line)
})

test('every example under "Frames, server → client" decodes as a server frame', () => {
  const lines = jsonLines(section('Frames, server → client'))
  assert.ok(lines.length >= 17)
  for (const line of lines) assert.equal(decodeServerFrame(line).ok, true, line)
})

test('the sample session: → lines decode as client frames, ← lines as server frames, ids answered', () => {
  const lines = section('Sample session').split('\n').filter((l) => l.startsWith('→ ') || l.startsWith('← '))
  assert.ok(lines.length >= 20)
  const open = new Set<number>()
  for (const line of lines) {
    const text = line.slice(2)
    const result = line.startsWith('→') ? decodeClientFrame(text) : decodeServerFrame(text)
    if (!result.ok) assert.fail(`${line}: ${result.error.message}`)
    const id = 'id' in result.frame ? result.frame.id : undefined
    if (id === undefined) continue
    if (line.startsWith('→')) open.add(id)
    else assert.ok(open.delete(id), `reply to id ${id} that was not asked: ${line}`)
  }
  assert.deepEqual([...open], [], 'every request in the sample gets a reply')
})
