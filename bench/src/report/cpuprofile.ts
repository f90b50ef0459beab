/**
 * Summarizes a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self time by function and
 * by file, and inclusive time of the functions under packages/ (our code), so a profile can be
 * read as "file:function — % of samples".
 *   node --import tsx bench/src/report/cpuprofile.ts <file.cpuprofile | session dir> [top=25]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[]; hitCount?: number }
interface CpuProfile { nodes: Node[]; samples: number[]; startTime: number; endTime: number }

export interface ProfileLine { name: string; selfPct: number; totalPct: number }

function short(url: string): string {
  const i = url.indexOf('/packages/')
  if (i >= 0) return url.slice(i + 1)
  const j = url.lastIndexOf('/node_modules/')
  if (j >= 0) return url.slice(j + 14)
  return url.replace(/^file:\/\//, '').replace(/^node:/, 'node:') || '(native)'
}

export function summarizeProfile(p: CpuProfile): { byFunction: ProfileLine[]; byFile: ProfileLine[]; samples: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const counts = new Map<number, number>()
  for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1)
  const total = p.samples.length || 1
  const self = new Map<string, number>()
  const incl = new Map<string, number>()
  const fileSelf = new Map<string, number>()
  for (const [id, count] of counts) {
    const n = byId.get(id)
    if (!n) continue
    const key = `${short(n.callFrame.url)}:${n.callFrame.functionName || '(anonymous)'}:${n.callFrame.lineNumber + 1}`
    self.set(key, (self.get(key) ?? 0) + count)
    const file = short(n.callFrame.url)
    fileSelf.set(file, (fileSelf.get(file) ?? 0) + count)
    // Inclusive: count once per distinct function on the stack.
    const seen = new Set<string>()
    for (let cur: number | undefined = id, guard = 0; cur !== undefined && guard < 10_000; cur = parent.get(cur), guard++) {
      const f = byId.get(cur)!.callFrame
      const k = `${short(f.url)}:${f.functionName || '(anonymous)'}:${f.lineNumber + 1}`
      if (seen.has(k)) continue
      seen.add(k)
      incl.set(k, (incl.get(k) ?? 0) + count)
    }
  }
  const pct = (x: number): number => (x / total) * 100
  const byFunction = [...self].map(([name, c]) => ({ name, selfPct: pct(c), totalPct: pct(incl.get(name) ?? c) })).sort((a, b) => b.selfPct - a.selfPct)
  const byFile = [...fileSelf].map(([name, c]) => ({ name, selfPct: pct(c), totalPct: pct(c) })).sort((a, b) => b.selfPct - a.selfPct)
  return { byFunction, byFile, samples: p.samples.length }
}

/** A session directory holds one profile per thread: the main thread's has the most busy samples. */
function mainThreadProfile(path: string): string {
  if (!statSync(path).isDirectory()) return path
  const files = readdirSync(path).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(path, f))
  const busy = (f: string): number => {
    const s = summarizeProfile(JSON.parse(readFileSync(f, 'utf8')) as CpuProfile)
    return s.samples * (100 - (s.byFunction.find((l) => l.name.includes('(idle)'))?.selfPct ?? 0))
  }
  return files.sort((a, b) => busy(b) - busy(a))[0] ?? path
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  process.stdout.on('error', () => process.exit(0)) // piped into head
  const file = process.argv[2] ? mainThreadProfile(process.argv[2]) : undefined
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/src/report/cpuprofile.ts <file.cpuprofile> [top]\n')
    process.exit(2)
  }
  const top = Number(process.argv[3] ?? 25)
  const s = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)
  process.stdout.write(`${file}: ${s.samples} samples\n\nself %  total %  function (file:name:line)\n`)
  for (const l of s.byFunction.slice(0, top)) process.stdout.write(`${l.selfPct.toFixed(1).padStart(6)} ${l.totalPct.toFixed(1).padStart(8)}  ${l.name}\n`)
  process.stdout.write('\nself %  file\n')
  for (const l of s.byFile.slice(0, 15)) process.stdout.write(`${l.selfPct.toFixed(1).padStart(6)}  ${l.name}\n`)
  const ours = [...s.byFunction].filter((l) => l.name.startsWith('packages/')).sort((a, b) => b.totalPct - a.totalPct)
  process.stdout.write('\ntotal % (inclusive)  our functions\n')
  for (const l of ours.slice(0, top)) process.stdout.write(`${l.totalPct.toFixed(1).padStart(6)}  ${l.name}\n`)
}
