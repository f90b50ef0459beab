/**
 * Prometheus text exposition (format 0.0.4) of a server node, without a dependency: a handful
 * of families is all we serve, and the format is four rules (HELP, TYPE, samples, escaping).
 * Spec: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 *
 * @example
 * res.setHeader('Content-Type', PROMETHEUS_CONTENT_TYPE)
 * res.end(renderMetrics(server))
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { IntervalHistogram } from 'node:perf_hooks'
import type { MiniServer, ServerStats } from './api.js'

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export interface MetricsExtras {
  /** Adds `minisocket_info{node, version}`. */
  nodeId?: string
  version?: string
  /**
   * Event-loop delay histogram (see createEventLoopMonitor). When given, lag quantiles since the
   * previous render are exported and the histogram is reset.
   */
  eventLoopDelay?: IntervalHistogram
}

type Labels = Record<string, string>
interface Sample {
  labels?: Labels
  value: number
}

/** Renders every family; `stats` defaults to `server.stats()`. */
export function renderMetrics(server: MiniServer, stats: ServerStats = server.stats(), extras: MetricsExtras = {}): string {
  const out: string[] = []
  const family = (name: string, type: 'gauge' | 'counter', help: string, samples: Sample[]): void => {
    out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`)
    for (const s of samples) out.push(`${name}${renderLabels(s.labels)} ${formatValue(s.value)}`)
  }

  if (extras.nodeId !== undefined || extras.version !== undefined) {
    const labels: Labels = {}
    if (extras.nodeId !== undefined) labels.node = extras.nodeId
    if (extras.version !== undefined) labels.version = extras.version
    family('minisocket_info', 'gauge', 'Constant 1, labelled with the node id and version.', [{ labels, value: 1 }])
  }
  family('minisocket_connections', 'gauge', 'Open WebSocket connections on this node.', [{ value: stats.connections }])
  family('minisocket_channels', 'gauge', 'Channels with at least one local subscriber.', [{ value: stats.channels }])
  family('minisocket_subscriptions', 'gauge', 'Subscriptions across all local connections.', [{ value: stats.subscriptions }])
  family('minisocket_messages_in_total', 'counter', 'Frames received from clients.', [{ value: stats.messagesIn }])
  family('minisocket_messages_out_total', 'counter', 'Frames sent to clients.', [{ value: stats.messagesOut }])
  family('minisocket_publications_total', 'counter', 'Publications accepted on this node (clients and HTTP API).', [{ value: stats.publications }])

  const mem = process.memoryUsage()
  const cpu = process.cpuUsage()
  family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [{ value: mem.rss }])
  family('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap used in bytes.', [{ value: mem.heapUsed }])
  family('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap allocated in bytes.', [{ value: mem.heapTotal }])
  family('process_cpu_seconds_total', 'counter', 'User and system CPU time spent, in seconds.', [{ value: (cpu.user + cpu.system) / 1e6 }])
  family('process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch, in seconds.', [
    { value: Math.round(performance.timeOrigin) / 1000 },
  ])
  // Event-loop utilization is cumulative and needs no timer, so it is always on (cheap).
  const elu = performance.eventLoopUtilization()
  family('nodejs_eventloop_active_seconds_total', 'counter', 'Time the event loop spent running callbacks, in seconds.', [{ value: elu.active / 1000 }])
  family('nodejs_eventloop_idle_seconds_total', 'counter', 'Time the event loop spent waiting for I/O, in seconds.', [{ value: elu.idle / 1000 }])

  const h = extras.eventLoopDelay
  if (h !== undefined && h.count > 0) {
    // Histogram values are nanoseconds.
    family('nodejs_eventloop_lag_seconds', 'gauge', 'Event-loop delay since the previous scrape, by quantile.', [
      { labels: { quantile: '0.5' }, value: h.percentile(50) / 1e9 },
      { labels: { quantile: '0.99' }, value: h.percentile(99) / 1e9 },
      { labels: { quantile: '1' }, value: h.max / 1e9 },
    ])
    h.reset()
  }
  return out.join('\n') + '\n'
}

/**
 * Starts sampling event-loop delay every `resolutionMs` (a libuv timer that does not keep the
 * process alive). Pass `monitor.histogram` as `extras.eventLoopDelay`; call `stop()` on close.
 */
export function createEventLoopMonitor(resolutionMs = 20): { histogram: IntervalHistogram; stop(): void } {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs })
  histogram.enable()
  return { histogram, stop: () => histogram.disable() }
}

function renderLabels(labels: Labels | undefined): string {
  if (labels === undefined) return ''
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`)
  return parts.length === 0 ? '' : `{${parts.join(',')}}`
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return String(v)
}
