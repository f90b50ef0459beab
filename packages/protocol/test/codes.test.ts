/** Keeps docs/codes.md and codes.ts in step, and checks the table's own rules. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { allCodes, CloseCode, closeCodeInfo, ErrorCode, errorCodeInfo, isRetryableClose } from '../src/index.js'

interface DocRow {
  code: number
  name: string
  retry: 'retryable' | 'terminal'
}

/** Table rows of one `## section` of docs/codes.md whose first cell is a number. */
function docRows(section: string): DocRow[] {
  const doc = readFileSync(new URL('../../../docs/codes.md', import.meta.url), 'utf8')
  const start = doc.indexOf(`\n## ${section}\n`)
  assert.ok(start >= 0, `docs/codes.md has no "## ${section}" section`)
  const end = doc.indexOf('\n## ', start + 1)
  const rows: DocRow[] = []
  for (const line of doc.slice(start, end < 0 ? undefined : end).split('\n')) {
    const cells = line.split('|').map((c) => c.trim().replace(/`/g, ''))
    if (!/^\d+$/.test(cells[1] ?? '')) continue
    const retry = cells.find((c) => c === 'retryable' || c === 'terminal')
    assert.ok(retry, `row ${cells[1]} says neither retryable nor terminal`)
    rows.push({ code: Number(cells[1]), name: cells[2] ?? '', retry: retry as DocRow['retry'] })
  }
  return rows
}

function tableRows(table: Readonly<Record<number, { name: string; retryable: boolean }>>): DocRow[] {
  return Object.entries(table).map(([code, info]) => ({ code: Number(code), name: info.name, retry: info.retryable ? 'retryable' : 'terminal' }))
}

const byCode = (a: DocRow, b: DocRow): number => a.code - b.code

describe('docs/codes.md matches codes.ts', () => {
  test('close codes: every code, name and retryable/terminal, and nothing else', () => {
    assert.deepEqual(docRows('Close codes').sort(byCode), tableRows(allCodes().close).sort(byCode))
  })

  test('error codes: every code, name and retryable/terminal, and nothing else', () => {
    assert.deepEqual(docRows('Error codes').sort(byCode), tableRows(allCodes().error).sort(byCode))
  })
})

describe('the codes table', () => {
  test('every CloseCode and ErrorCode constant has an entry of the same name', () => {
    for (const [name, code] of Object.entries(CloseCode)) assert.equal(closeCodeInfo(code).name, name, `close ${code}`)
    for (const [name, code] of Object.entries(ErrorCode)) assert.equal(errorCodeInfo(code).name, name, `error ${code}`)
  })

  test('no two constants share a code', () => {
    assert.equal(new Set(Object.values(CloseCode)).size, Object.keys(CloseCode).length)
    assert.equal(new Set(Object.values(ErrorCode)).size, Object.keys(ErrorCode).length)
  })

  test('4000–4499 are retryable and 4500–4999 terminal, known or not', () => {
    for (const code of Object.keys(allCodes().close).map(Number)) {
      if (code >= 4000 && code <= 4499) assert.equal(isRetryableClose(code), true, String(code))
      if (code >= 4500 && code <= 4999) assert.equal(isRetryableClose(code), false, String(code))
    }
    assert.deepEqual([4010, 4499, 4500, 4998, 4999].map(isRetryableClose), [true, true, false, false, false])
    assert.equal(closeCodeInfo(4321).name, 'Unknown')
  })

  test('of the standard codes only 1000 and 1008 are terminal', () => {
    const terminal = Object.keys(allCodes().close).map(Number).filter((c) => c < 4000 && !isRetryableClose(c))
    assert.deepEqual(terminal, [1000, 1008])
  })

  test('unknown error codes are terminal and named Unknown', () => {
    assert.deepEqual(errorCodeInfo(999), { name: 'Unknown', retryable: false, meaning: 'unknown error code' })
  })
})
