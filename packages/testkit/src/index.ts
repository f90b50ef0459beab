export { FakeClock, type Clock } from './fake-clock.js'
export { createFaultProxy, frameMatchers, type FaultProxy, type FaultProxyOptions } from './fault-proxy.js'
export type {
  ConnectionInfo, ConnectionState, Direction, DirectionCounters, DirectionSelector, FrameRule, ProxyCounters, ProxyEvent,
  ProxyFrame, RefuseMode, RuleAction, RuleHandle,
} from './proxy-types.js'
export { FrameParser, FrameParseError, Opcode, closePayload, encodeFrame, type FrameSpec, type OpcodeName, type WsFrame } from './ws-frame.js'
export { seededRandom } from './seeded-rng.js'
export { checkHistory } from './history-checker.js'
export { checkIdempotency } from './idempotency-check.js'
export { formatHistoryReport } from './history-report.js'
export type {
  ClientEvent, ClientHistory, Conflict, DeliveryEvent, DuplicateAfterDedupe, HiddenGap, HistoryInput, HistoryReport, IdempotencyInput,
  IdempotencyReport, MissingPublication, OrderViolation, Publication, SubscribedEvent, UnsubscribedEvent,
} from './history-types.js'
export { freePort, spawnNode, waitFor, type SpawnNodeOptions, type SpawnedNode, type WaitForOptions } from './processes.js'
export { findRedisServer, pingRedis, startRedis, type RedisInstance, type StartRedisOptions } from './redis-server.js'
export {
  linearSlope, readRssKiB, sampleRss, startLagSampler, summarizeRss, type LagReport, type LagSampler, type RssReport, type RssSample,
  type RssSampler,
} from './probes.js'
export { systemClock } from './system-clock.js'
