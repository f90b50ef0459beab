/**
 * npm run bench [-- options]
 *   --quick            quick profile (default): under 5 minutes, 3 short repeats per cell
 *   --full             full profile (npm run bench:full): fresh processes per repeat, long windows
 *   --peers a,b        only these peers (ws-naive, ws-preframed, ws-preframed-corked, socketio, minisocket;
 *                      minisocket also brings the diagnostic minisocket-raw RPC row; the diagnostic
 *                      ws-naive-envelope runs only when named)
 *   --scenarios a,b    only these scenarios (sizes, fanout, maxrate, idle, rpc)
 *   --subs a,b         only these subscriber counts S in fan-out and max-rate (e.g. 100,1000)
 *   --repeats n        repeats per cell (1-20; also the fixed-rate fan-out, idle and RPC repeats), for an A/B with more repeats than the profile's
 *   --workers n        load-generator processes per session (1-8; the profiles use 2)
 *   --no-pin           do not pin processes with taskset
 *   --cpu-prof         run every server and load generator under `node --cpu-prof` (profiles in bench/results/profiles;
 *                      summarize one with `node --import tsx bench/src/report/cpuprofile.ts <file>`)
 *   --report           only re-render docs/benchmarks.md from bench/results/latest-*.json
 * Writes bench/results/latest-<profile>.json, the SVG charts, and docs/benchmarks.md (which shows
 * the latest full run when there is one), and prints the comparison table.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { fullProfile, quickProfile, type PeerName, type Profile, type ScenarioName } from './config.js'
import { Progress } from './progress.js'
import { countSessions, runBench } from './runner.js'
import { resultsDir, resultsFile, writeDocs } from './report/docs.js'
import { consoleReport } from './report/tables.js'

function parse(argv: string[]): { profile: Profile; reportOnly: boolean } {
  let profile = argv.includes('--full') ? fullProfile() : quickProfile()
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const peers = value('--peers')
  if (peers) profile = { ...profile, peers: peers.split(',') as PeerName[] }
  const scenarios = value('--scenarios')
  if (scenarios) profile = { ...profile, scenarios: scenarios.split(',') as ScenarioName[] }
  const subs = value('--subs')
  if (subs) {
    const list = subs.split(',').map(Number)
    if (list.some((n) => !Number.isInteger(n) || n < 1 || n > 20_000)) throw new Error(`--subs: integers 1-20000, got ${subs}`)
    profile = { ...profile, fanout: { ...profile.fanout, subs: list }, maxrate: { ...profile.maxrate, subs: list } }
  }
  const repeats = value('--repeats')
  if (repeats) {
    const n = Number(repeats)
    if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error(`--repeats: an integer 1-20, got ${repeats}`)
    profile = { ...profile, repeats: n, fanout: { ...profile.fanout, repeats: n }, idle: { ...profile.idle, repeats: n }, rpc: { ...profile.rpc, repeats: n } }
  }
  const workers = value('--workers')
  if (workers) {
    const n = Number(workers)
    if (!Number.isInteger(n) || n < 1 || n > 8) throw new Error(`--workers: an integer 1-8, got ${workers}`)
    profile = { ...profile, workers: n }
  }
  if (argv.includes('--no-pin')) profile = { ...profile, pin: false }
  if (argv.includes('--cpu-prof')) profile = { ...profile, cpuProfDir: `${resultsDir}/profiles` }
  // A filtered run is not a profile run: it must not replace latest-quick/full.json.
  if (peers || scenarios || subs || repeats || workers) profile = { ...profile, name: 'custom' }
  const known = new Set(['--quick', '--full', '--peers', '--scenarios', '--no-pin', '--cpu-prof', '--report', '--subs', '--repeats', '--workers', peers, scenarios, subs, repeats, workers])
  const unknown = argv.filter((a) => !known.has(a))
  if (unknown.length) throw new Error(`unknown argument(s): ${unknown.join(' ')} (see bench/src/cli.ts)`)
  return { profile, reportOnly: argv.includes('--report') }
}

async function main(): Promise<void> {
  const { profile, reportOnly } = parse(process.argv.slice(2))
  if (!reportOnly) {
    const progress = new Progress(countSessions(profile))
    const res = await runBench(profile, progress)
    mkdirSync(resultsDir, { recursive: true })
    writeFileSync(resultsFile(profile.name), JSON.stringify(res, null, 1) + '\n')
    process.stdout.write(consoleReport(res) + '\n')
    process.stdout.write(`\nresults: ${resultsFile(profile.name)}\n`)
  }
  const shown = writeDocs()
  process.stdout.write(shown ? `docs/benchmarks.md written from the latest ${shown} run\n` : 'no results yet: docs/benchmarks.md not written\n')
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`)
  process.exit(1)
})
