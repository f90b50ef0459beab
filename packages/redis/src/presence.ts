/**
 * Presence across nodes. Per channel a sorted set client → expiry time and a hash client →
 * member JSON. Expiry is judged by Redis's own clock (TIME inside the scripts), so nodes with
 * skewed clocks agree. A node refreshes its members by calling add() again; a crashed node's
 * members are no longer listed once their ttl has passed, and a sweep turns each expiry into
 * exactly one `leave` (the node whose script removed it reports it).
 *
 * Bound (G7): a crashed node's members vanish from list() within `ttlMs` of their last refresh,
 * and their leave reaches subscribers within `ttlMs + sweepIntervalMs`.
 */
import type { PresenceMember } from '@minisocket/protocol'
import type { Logger, PresenceStore } from '@minisocket/server'
import { makeClient, Script, type ConnectionOptions, type RedisClient } from './connection.js'
import { closeClient } from './broker.js'
import { guard, withTimeout } from './errors.js'
import type { Keys } from './keys.js'
import { PRESENCE_ADD_SCRIPT, PRESENCE_LIST_SCRIPT, PRESENCE_REMOVE_SCRIPT } from './scripts.js'
import { checkChannel, checkPositiveInt } from './validate.js'

const addScript = new Script(PRESENCE_ADD_SCRIPT)
const removeScript = new Script(PRESENCE_REMOVE_SCRIPT)
const listScript = new Script(PRESENCE_LIST_SCRIPT)

export interface RedisPresenceOptions {
  keys: Keys
  connection: ConnectionOptions
  connectTimeoutMs: number
  /** How often channels with members on this node are swept for expired members. */
  sweepIntervalMs: number
  /** Called once per expired member (the engine publishes it as a leave). */
  onExpired?: (channel: string, member: PresenceMember) => void
  logger?: Logger
}

type StoreState = 'idle' | 'open' | 'closed'

export class RedisPresence implements PresenceStore {
  private state: StoreState = 'idle'
  private readonly client: RedisClient
  private connecting: Promise<unknown> | undefined
  /** Channels where this node added members, with those clients: what the sweep looks at. */
  private readonly local = new Map<string, Set<string>>()
  private sweepTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly options: RedisPresenceOptions) {
    this.client = makeClient(options.connection, 'presence')
  }

  async add(channel: string, member: PresenceMember, ttlMs: number): Promise<boolean> {
    checkChannel(channel)
    checkPositiveInt('ttlMs', ttlMs)
    if (typeof member?.client !== 'string' || member.client === '') throw new TypeError('member.client must be a non-empty string')
    await this.ready()
    const k = this.options.keys
    const fresh = await guard('presence add', () => addScript.run(this.client, [k.presenceExpiry(channel), k.presenceData(channel)], [member.client, JSON.stringify(member), String(ttlMs)]))
    let clients = this.local.get(channel)
    if (clients === undefined) this.local.set(channel, (clients = new Set()))
    clients.add(member.client)
    return Number(fresh) === 1
  }

  async remove(channel: string, client: string): Promise<void> {
    checkChannel(channel)
    await this.ready()
    const k = this.options.keys
    await guard('presence remove', () => removeScript.run(this.client, [k.presenceExpiry(channel), k.presenceData(channel)], [client]))
    const clients = this.local.get(channel)
    clients?.delete(client)
    if (clients?.size === 0) this.local.delete(channel)
  }

  async list(channel: string): Promise<PresenceMember[]> {
    checkChannel(channel)
    await this.ready()
    const k = this.options.keys
    const reply = await guard('presence list', () => listScript.run(this.client, [k.presenceExpiry(channel), k.presenceData(channel)], []))
    const [expired, live] = reply as [string[], string[]]
    for (const json of expired) this.reportExpired(channel, json)
    const members: PresenceMember[] = []
    for (const json of live) {
      const member = parseMember(json)
      if (member !== undefined) members.push(member)
    }
    return members
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    clearTimeout(this.sweepTimer)
    this.local.clear()
    await closeClient(this.client)
  }

  /** Connects on first use (a PresenceStore has no start()); bounded by connectTimeoutMs. */
  private async ready(): Promise<void> {
    if (this.state === 'closed') throw new Error('RedisPresence: closed')
    if (this.connecting === undefined) {
      this.state = 'open'
      this.connecting = this.client.connect()
      this.connecting.catch(() => undefined)
      this.scheduleSweep()
    }
    await withTimeout('presence connect', this.connecting, this.options.connectTimeoutMs)
  }

  private scheduleSweep(): void {
    if (this.state !== 'open') return
    this.sweepTimer = setTimeout(() => void this.sweep().finally(() => this.scheduleSweep()), this.options.sweepIntervalMs)
    // The sweep must never keep a finished process alive.
    this.sweepTimer.unref()
  }

  /** Lists every channel with local members: list() removes and reports the expired ones. */
  private async sweep(): Promise<void> {
    for (const channel of [...this.local.keys()]) {
      if (this.state !== 'open') return
      await this.list(channel).catch(() => undefined)
    }
  }

  private reportExpired(channel: string, json: string): void {
    const member = parseMember(json)
    if (member === undefined) return
    const clients = this.local.get(channel)
    clients?.delete(member.client)
    if (clients?.size === 0) this.local.delete(channel)
    try {
      this.options.onExpired?.(channel, member)
    } catch (err) {
      this.options.logger?.error('redis presence: onExpired threw', { channel, error: err instanceof Error ? err.message : String(err) })
    }
  }
}

function parseMember(json: string): PresenceMember | undefined {
  try {
    const member = JSON.parse(json) as PresenceMember
    return typeof member === 'object' && member !== null && typeof member.client === 'string' ? member : undefined
  } catch {
    return undefined
  }
}
