/** Everything a connection needs from its node, passed by reference (no module-level state). */
import type { CodecLimits } from '@minisocket/protocol'
import type { RpcHandler, ServerOptions } from './api.js'
import type { ChannelRegistry } from './channels.js'
import type { Connection } from './connection.js'
import type { Broker, PresenceStore } from './engine/types.js'
import type { HeartbeatSweep } from './heartbeat.js'
import type { Hub } from './hub.js'
import type { ResolvedOptions } from './options.js'
import type { PresenceTracker } from './presence.js'
import type { ConnectionRegistry } from './registry.js'
import type { SessionRegistry } from './sessions.js'
import type { StatsCollector } from './stats.js'
import type { TransportEngine } from './transport/types.js'

export interface NodeContext {
  readonly options: ResolvedOptions
  readonly engine: TransportEngine
  readonly hub: Hub
  readonly broker: Broker
  readonly presenceStore: PresenceStore
  readonly presence: PresenceTracker
  readonly sessions: SessionRegistry
  readonly channels: ChannelRegistry
  readonly stats: StatsCollector
  readonly registry: ConnectionRegistry<Connection>
  /** The node's one heartbeat sweep (no timer per connection). */
  readonly heartbeats: HeartbeatSweep
  /** Decoder limits of inbound frames, shared by every connection of the node. */
  readonly codecLimits: CodecLimits
  readonly authenticate: ServerOptions['authenticate']
  readonly rpc: Readonly<Record<string, RpcHandler>>
  /** False once the server is closing (or before it listens). */
  accepting(): boolean
}
