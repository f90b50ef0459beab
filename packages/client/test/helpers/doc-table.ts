import { readFileSync } from 'node:fs'

/** Rows `| ID | from | to | ... |` of docs/state-machines.md whose id starts with `prefix`. */
export function docRows(prefix: 'C' | 'S' | 'N'): Map<string, { from: string; to: string }> {
  const text = readFileSync(new URL('../../../../docs/state-machines.md', import.meta.url), 'utf8')
  const rows = new Map<string, { from: string; to: string }>()
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim())
    const id = cells[1] ?? ''
    if (new RegExp(`^${prefix}\\d+$`).test(id)) rows.set(id, { from: cells[2] ?? '', to: cells[3] ?? '' })
  }
  return rows
}
