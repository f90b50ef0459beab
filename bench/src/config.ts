/**
 * Profiles and peers. A profile fixes every count and duration of a run, so a run is bounded:
 * quick (about 4 minutes, short windows, 3 repeats inside one session per cell) and full
 * (fresh server and load generator per repeat, long windows, the whole max-rate search).
 */
import type { ClientKind } from './loadgen/clients.js'

export type PeerName = 'ws-naive' | 'ws-preframed' | 'ws-preframed-corked' | 'socketio' | 'minisocket' | 'minisocket-raw' | 'ws-naive-envelope'
export type ScenarioName = 'fanout' | 'maxrate' | 'idle' | 'rpc' | 'sizes'

export interface PeerInfo {
  name: PeerName
  label: string
  client: ClientKind
  /** What the RPC scenario measures for this peer, and with which client. */
  rpc: string
  rpcClient: ClientKind
  /** The peer whose server this one runs against, when it is only another client of it. */
  server?: PeerName
}

export const PEERS: Record<PeerName, PeerInfo> = {
  'ws-naive': { name: 'ws-naive', label: 'ws naive loop', client: 'raw-textproto', rpc: 'ws echo', rpcClient: 'textproto' },
  // Diagnostic, never judged: ws-naive's loop sending minisocket's pub envelope, to tell what
  // the envelope costs the receiver from what minisocket's server does (servers/ws-naive-envelope.ts).
  'ws-naive-envelope': { name: 'ws-naive-envelope', label: 'ws naive loop, minisocket envelope (diagnostic)', client: 'raw-envelope', rpc: 'ws echo', rpcClient: 'textproto' },
  'ws-preframed': { name: 'ws-preframed', label: 'ws pre-framed', client: 'raw-textproto', rpc: 'ws echo', rpcClient: 'textproto' },
  'ws-preframed-corked': { name: 'ws-preframed-corked', label: 'ws pre-framed + corked (reference)', client: 'raw-textproto', rpc: 'ws echo', rpcClient: 'textproto' },
  socketio: { name: 'socketio', label: 'socket.io 4', client: 'raw-engineio', rpc: 'socket.io ack', rpcClient: 'socketio' },
  minisocket: { name: 'minisocket', label: 'minisocket', client: 'raw-minisocket', rpc: 'minisocket rpc (@minisocket/client)', rpcClient: 'minisocket-client' },
  // Diagnostic, never judged: the same server driven by a bare ws client speaking its protocol,
  // to tell the server's share of the round trip from @minisocket/client's.
  'minisocket-raw': { name: 'minisocket-raw', label: 'minisocket (bare ws client)', client: 'raw-minisocket', rpc: 'minisocket rpc, bare ws client (diagnostic)', rpcClient: 'minisocket', server: 'minisocket' },
}

/** The server a peer's sessions start. */
export const serverOf = (peer: PeerName): PeerName => PEERS[peer].server ?? peer

export interface Window {
  warmupMs: number
  durationMs: number
  /** After the window: how long to wait for every measured message to arrive everywhere. */
  drainMs: number
}

export interface Profile {
  name: 'quick' | 'full' | 'custom'
  peers: PeerName[]
  scenarios: ScenarioName[]
  repeats: number
  /** false: the repeats of a cell share one session (quick); true: fresh processes per repeat. */
  freshPerRepeat: boolean
  workers: number
  pin: boolean
  payloadPad: number
  /** `repeats` overrides the profile's for the fixed-rate cells only (their p99 is compared across peers, and its spread is wider than the gaps). */
  fanout: { subs: number[]; offeredDps: number; repeats?: number; window: Window }
  maxrate: { subs: number[]; peers: PeerName[]; startDps: number; factor: number; refine: boolean; maxSteps: number; window: Window }
  /**
   * `repeats` overrides the profile's: RSS per connection moves by about 0.8 KiB between two
   * sessions of one server (malloc, not the JS heap; bench/analysis.md), against a margin of a
   * few tenths at the 1.3 × target, so one outlying session must not decide the median.
   */
  idle: { n: number; peers: PeerName[]; repeats?: number; inflight: number; settleMs: number }
  /** `repeats` overrides the profile's: the closed loop is the most noise-sensitive figure (the load generator is the limit). */
  rpc: { clients: number; peers: PeerName[]; repeats?: number; window: Window }
  /** Before each session, wait (bounded) until other load on the machine is below maxPct of a core. */
  quiet: { maxPct: number; maxWaitMs: number }
  /** When set, every server process runs under `node --cpu-prof` and writes its profile here. */
  cpuProfDir?: string | undefined
  /** Time budget: a session is not started when the average session would overrun it. */
  maxMinutes: number
}

const ALL_PEERS: PeerName[] = ['ws-naive', 'ws-preframed', 'ws-preframed-corked', 'socketio', 'minisocket']

export function quickProfile(): Profile {
  return {
    name: 'quick',
    // The corked reference variant is in the full profile only: it keeps quick under 5 minutes.
    peers: ['ws-naive', 'ws-preframed', 'socketio', 'minisocket'],
    scenarios: ['sizes', 'fanout', 'maxrate', 'idle', 'rpc'],
    repeats: 3,
    freshPerRepeat: false,
    workers: 2,
    pin: true,
    payloadPad: 48,
    fanout: { subs: [100, 1000, 5000], offeredDps: 50_000, window: { warmupMs: 300, durationMs: 1000, drainMs: 1500 } },
    maxrate: { subs: [5000], peers: ['ws-preframed', 'socketio', 'minisocket'], startDps: 50_000, factor: Math.SQRT2, refine: false, maxSteps: 4, window: { warmupMs: 300, durationMs: 1000, drainMs: 1500 } },
    idle: { n: 2000, peers: ['ws-naive', 'socketio', 'minisocket'], inflight: 64, settleMs: 500 },
    rpc: { clients: 100, peers: ['ws-naive', 'socketio', 'minisocket', 'minisocket-raw'], window: { warmupMs: 300, durationMs: 1500, drainMs: 0 } },
    quiet: { maxPct: 30, maxWaitMs: 1000 },
    // The quick profile promises under 5 minutes: sessions that would not fit are skipped (and listed).
    maxMinutes: 4.6,
  }
}

export function fullProfile(): Profile {
  return {
    name: 'full',
    peers: ALL_PEERS,
    scenarios: ['sizes', 'fanout', 'maxrate', 'idle', 'rpc'],
    repeats: 3,
    freshPerRepeat: true,
    workers: 2,
    pin: true,
    payloadPad: 48,
    // Seven fixed-rate repeats: in a 6-repeat A/B (bench/analysis.md) the p99 of one peer moved
    // over 17.5-28.9 ms at S = 1000 between repeats, wider than the gaps between peers, and the
    // VM's slow spells (minutes long) hit 1-3 of a peer's five cells in the 19:52 run. With
    // seven, a median stands after three cells in a spell; with five, after two.
    fanout: { subs: [100, 1000, 5000], offeredDps: 50_000, repeats: 7, window: { warmupMs: 1000, durationMs: 10_000, drainMs: 3000 } },
    maxrate: { subs: [100, 1000, 5000], peers: ALL_PEERS, startDps: 50_000, factor: Math.SQRT2, refine: true, maxSteps: 10, window: { warmupMs: 1000, durationMs: 3000, drainMs: 3000 } },
    idle: { n: 10_000, peers: ['ws-naive', 'socketio', 'minisocket'], repeats: 5, inflight: 64, settleMs: 2000 },
    // Eleven RPC repeats: its cells swing most with this VM's speed (socket.io's spread over
    // 16.8k-34.0k in the 19:52 run), and the target is one ratio of two medians that sat at
    // 1.497 and 1.59 in the last two runs; at 10 s a cell, four more cost about 3 minutes.
    rpc: { clients: 100, peers: ['ws-naive', 'socketio', 'minisocket', 'minisocket-raw'], repeats: 11, window: { warmupMs: 1000, durationMs: 10_000, drainMs: 0 } },
    quiet: { maxPct: 30, maxWaitMs: 60_000 },
    maxMinutes: 90,
  }
}

/** The p99 a max-rate step may have: one broadcast to S sockets is spread over S sends. */
export function p99LimitMs(subs: number): number {
  return 100 + 0.02 * subs
}
