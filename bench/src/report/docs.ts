/**
 * Writes docs/benchmarks.md from a results file: the latest full run when there is one, else the
 * latest quick run, clearly labelled. The hand-written analysis (profiles, what is planned for a
 * missed target) lives in bench/analysis.md. Its part about the run shown is included as is; the
 * lab notebook below the HISTORY_MARK line (earlier runs, A/B tests, the profiles behind past
 * changes, which code comments cite) stays in that file, linked from the page.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { p99LimitMs } from '../config.js'
import type { BenchResults } from '../runner.js'
import { writeCharts } from './charts.js'
import { fanoutTable, idleTable, maxTable, rpcTable, sizesTable, targetsTable } from './tables.js'

const benchDir = fileURLToPath(new URL('../..', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
export const resultsDir = `${benchDir}results`
export const docsFile = `${repoRoot}docs/benchmarks.md`

/** The line in bench/analysis.md after which the text is history, kept out of the page. */
export const HISTORY_MARK = '<!-- history: kept in bench/analysis.md, not copied to docs/benchmarks.md -->'

/** The part of the analysis that goes into the page, and whether a history follows it. */
export function analysisForPage(text: string): { page: string; hasHistory: boolean } {
  const at = text.indexOf(HISTORY_MARK)
  return at < 0 ? { page: text.trim(), hasHistory: false } : { page: text.slice(0, at).trim(), hasHistory: true }
}

export function resultsFile(profile: string): string {
  return `${resultsDir}/latest-${profile}.json`
}

/** The results the docs should show: full if present, else quick. */
export function pickResults(): BenchResults | undefined {
  for (const profile of ['full', 'quick']) {
    const file = resultsFile(profile)
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as BenchResults
  }
  return undefined
}

/** The cells whose repeats differ from the profile's, for the method's "median of n repeats". */
function repeatsNote(p: BenchResults['profile']): string {
  const parts: string[] = []
  if (p.fanout.repeats !== undefined && p.fanout.repeats !== p.repeats) parts.push(`fan-out at a fixed rate: ${p.fanout.repeats} repeats, as its p99 spreads wider between repeats than the gaps between peers`)
  if (p.rpc.repeats !== undefined && p.rpc.repeats !== p.repeats) parts.push(`request/response: ${p.rpc.repeats} repeats, the figure most shaken by this VM's noise`)
  return parts.length ? ` (${parts.join('; ')})` : ''
}

function method(res: BenchResults): string {
  const p = res.profile
  const w = p.fanout.window
  const m = p.maxrate
  return `## Method

- **Processes and cores.** Each peer server is its own Node.js process (\`bench/servers/<peer>.ts\`), pinned to core 0 with \`taskset -c 0\`${res.machine.taskset ? '' : ' (**taskset was not available in this run: nothing was pinned**)'}. The load generator is ${p.workers} worker processes (\`bench/src/loadgen/worker.ts\`) pinned to core 1. Every session starts a fresh server and fresh workers; ${p.freshPerRepeat ? 'every repeat is its own session' : 'in this profile the repeats of one cell share a session (shorter runs)'}. Peers are interleaved${p.freshPerRepeat ? ', their order rotated by one place per repeat, so that over the repeats each peer runs at each place of the round' : ''}.
- **Same work for every peer.** The server publishes by itself, on a schedule (a 1 ms timer catching up), a ~95-byte JSON message \`{"s":seq,"t":µs,"p":"x…"}\` to the channel/room \`bench\`; \`t\` is CLOCK_MONOTONIC, the same clock in every process. Each receiver decodes the JSON once per delivery, checks that sequence numbers increase, and records publish-to-receive latency. Fan-out, max-rate and idle drive every peer through one lean WebSocket client (@minisocket/client's own Node transport, \`packages/client/src/adapters/node-socket.ts\`: the upgrade by hand, frames parsed out of one shared read buffer, no streams), so that receiving costs every peer the same and as little as it can; each peer's wire dialect is written by hand on top of it: the raw \`ws\` peers' text protocol, minisocket's (connect, subscribe, \`pub\` frames) and socket.io's (engine.io v4 packets, \`42["m",{…}]\`). Request/response uses each peer's real client library (\`ws\`, socket.io-client with the websocket transport, @minisocket/client). Deflate is off everywhere; ws's native add-ons are disabled (\`WS_NO_BUFFER_UTIL=1\`, \`WS_NO_UTF_8_VALIDATE=1\`).
- **CPU.** Server CPU is \`process.cpuUsage()\` of the server process over exactly the measured window (it includes the loopback kernel work its writes trigger); load-generator CPU is the sum of the workers' \`process.cpuUsage()\`. "Other load" is machine-wide busy time from \`/proc/stat\` minus ours: other people's work on the shared machine. Before each session the runner waits up to ${(p.quiet.maxWaitMs / 1000).toFixed(0)} s for other load to fall below ${p.quiet.maxPct} % of a core.
- **Fixed rate.** ${p.fanout.offeredDps} deliveries/s offered (msg/s = ${p.fanout.offeredDps} / S), ${w.warmupMs} ms warm-up, ${w.durationMs} ms measured, then up to ${w.drainMs} ms for every measured message to reach every subscriber. Achieved = deliveries received inside the measured window / its length. Server CPU µs/delivery = server CPU time in the window / deliveries of the window's messages.
- **Maximum sustainable deliveries/s.** On the same connections, steps from ${m.startDps / 1000}k deliveries/s, ×${m.factor.toFixed(3)} per step${m.refine ? ', then one refinement step between the last pass and the first failure' : ''}, at most ${m.maxSteps} steps, each ${m.window.warmupMs} ms warm-up + ${m.window.durationMs} ms measured. A step **passes** when all hold: nothing lost after a ${m.window.drainMs} ms drain; no order or parse error; the publisher kept its schedule (the last message started at most max(50 ms, 20 µs × S) late: its start, not the end of its own fan-out); achieved ≥ 95 % of offered; p99 ≤ 100 ms + 20 µs × S (${p.maxrate.subs.map((s) => `${p99LimitMs(s)} ms at S = ${s}`).join(', ')}); latency not growing (p90 of the last quarter of the window's messages ≤ 1.5 × p90 of the first quarter + 5 ms). The maximum is the highest passing step.
- **Idle connections.** N = ${p.idle.n} connections opened with ${p.idle.inflight} connects in flight per worker, no subscription. "Connected" is the peer's own handshake: \`open\` for ws, namespace \`connect\` for socket.io, the \`connected\` frame for minisocket. Server RSS and JS heap are read after \`gc()\` twice (\`--expose-gc\`) before, and ${p.idle.settleMs} ms after the last connection; per connection = Δ / N. Kernel socket buffers are not in RSS.
- **Request/response.** ${p.rpc.clients} connections, each with exactly one ~75-byte request in flight: raw ws echo, socket.io \`emit('echo', p, ack)\`, minisocket \`rpc\` with an \`echo\` handler.${p.rpc.peers.includes('minisocket-raw') ? ' A fourth row, a diagnostic that no target judges, drives the same minisocket server with a bare `ws` client speaking its protocol (no @minisocket/client), to show the server\'s share of a round trip apart from the client library\'s.' : ''} ${p.rpc.window.warmupMs} ms warm-up, ${p.rpc.window.durationMs} ms measured.
- **Client sizes.** esbuild (\`--bundle --minify --format=esm --platform=browser --target=es2020\`) from a one-line entry importing what an app imports; our entries are bundled whole (\`export *\`); then gzip -9. 1 KiB = 1024 bytes.
- **Saturation.** ⚠ marks a load generator at ≥ 90 % of its core: the figure is then a lower bound for the server, and the server CPU per delivery is the figure to compare.
- Every figure is the median of ${p.repeats} repeats with [min–max]${repeatsNote(p)}.
`
}

export function renderDocs(res: BenchResults): string {
  const charts = writeCharts(res, `${resultsDir}/charts`)
  const analysisFile = `${benchDir}analysis.md`
  const analysis = analysisForPage(existsSync(analysisFile) ? readFileSync(analysisFile, 'utf8') : '')
  const quick = res.profile.name !== 'full'
  const m = res.machine
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by bench/src/report/docs.ts from bench/results/latest-<profile>.json; edit bench/analysis.md instead. -->',
    '',
    quick
      ? `> ⚠ **These are the numbers of a QUICK profile run** (short windows: ${res.profile.fanout.window.durationMs} ms measured per fixed-rate window). Run \`npm run bench:full\` for the full profile.`
      : '> Numbers of the latest **full** profile run.',
    '',
    `Run of ${res.startedAt} · ${res.profile.name} profile · ${(res.durationS / 60).toFixed(1)} min · ${m.cpus} × ${m.model} · Node ${m.node} · Linux ${m.kernel} · ${m.pinned ? 'server on core 0, load generator on core 1' : 'NOT pinned'}.`,
    '',
    'Reproduce (from the repository root, after `npm ci`):',
    '',
    '```sh',
    quick ? 'npm run bench -- --quick    # this profile, under 5 minutes' : `npm run bench:full          # this profile, ${Math.round(res.durationS / 60)} minutes this time`,
    quick ? 'npm run bench:full          # the full profile' : 'npm run bench -- --quick    # smoke profile, under 5 minutes',
    'npm run bench -- --report   # re-render this page from bench/results/latest-*.json',
    '# a focused A/B (writes bench/results/latest-custom.json, leaves this page alone):',
    'npm run bench -- --full --peers ws-naive,minisocket --scenarios fanout --subs 100,1000 --repeats 6',
    '```',
    '',
    '## Targets (issue 7), judged against peers measured in the same run',
    '',
    targetsTable(res),
    '',
    ...(analysis.page ? [analysis.page, ''] : []),
    ...(analysis.hasHistory ? ['Earlier full runs, the A/B tests behind each change and the profiles taken on the way are in [bench/analysis.md](../bench/analysis.md).', ''] : []),
    '## Charts',
    '',
    ...charts.map(([file, alt]) => `![${alt}](../bench/results/charts/${file})\n`),
    `## Fan-out at ${res.profile.fanout.offeredDps / 1000}k deliveries/s offered`,
    '',
    fanoutTable(res),
    '',
    '## Maximum sustainable fan-out',
    '',
    maxTable(res),
    '',
    `## Idle connections (N = ${res.profile.idle.n})`,
    '',
    idleTable(res),
    '',
    `## Request/response (${res.profile.rpc.clients} clients, closed loop)`,
    '',
    rpcTable(res),
    '',
    '## Client bundle sizes',
    '',
    sizesTable(res),
    '',
    method(res),
    ...(res.errors.length ? ['## Errors in this run', '', ...res.errors.map((e) => `- ${e.scenario} ${e.peer ?? ''} ${e.subs !== undefined ? `S=${e.subs}` : ''}: ${e.message}`), ''] : []),
  ].join('\n')
}

export function writeDocs(): string | undefined {
  const res = pickResults()
  if (!res) return undefined
  writeFileSync(docsFile, renderDocs(res))
  return res.profile.name
}
