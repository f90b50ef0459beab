/**
 * @minisocket/server — a real-time server node on `ws`: handshake and auth, channels with
 * history and recovery, presence, RPC, limits, graceful shutdown. docs/server.md has the guide.
 */
export { createServer } from './server.js'
export { RpcError, RequestError } from './errors.js'
export { MemoryBroker, type MemoryBrokerOptions } from './engine/memory-broker.js'
export { MemoryPresence } from './engine/memory-presence.js'
export { recoveryOutcome } from './engine/types.js'
export { defaultLimits } from './options.js'
export { systemClock } from './clock.js'
export { createJwtAuthenticator, signJwt, JwtConfigError, type JwtAuthOptions, type SignJwtOptions } from './jwt.js'
export { createJsonLogger, type JsonLoggerOptions } from './log.js'
export { createHttpApi, HttpApiError, type HttpApiOptions } from './http-api.js'
export { renderMetrics, PROMETHEUS_CONTENT_TYPE } from './metrics.js'
export type * from './api.js'
export type * from './engine/types.js'
export type { PreparedMessage, Transport, TransportEngine, TransportHandler } from './transport/types.js'
