/**
 * Field reader for decoded JSON objects: each accessor validates one field and, on the first
 * failure, records a message instead of throwing, so the codec never throws on hostile input.
 */
import type { CodecLimits } from './limits.js'
import { NAME_PATTERN } from './limits.js'
import type { Json, PresenceMember, PresenceState, Publication, PublisherInfo, StreamPosition } from './frames.js'

export type Obj = { readonly [key: string]: unknown }

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export class Reader {
  error: string | undefined

  constructor(
    private readonly o: Obj,
    readonly limits: CodecLimits,
  ) {}

  fail(message: string): void {
    if (this.error === undefined) this.error = message
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.o, key) && this.o[key] !== undefined
  }

  /** A request id: a positive safe integer. */
  id(key = 'id'): number {
    return this.int(key, 1)
  }

  int(key: string, min = 0): number {
    const v = this.o[key]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      this.fail(`${key} must be a safe integer >= ${min}`)
      return min
    }
    // JSON.parse('-0') is -0; normalize so a decoded frame re-encodes and compares as 0.
    return v === 0 ? 0 : v
  }

  optInt(key: string, min = 0): number | undefined {
    return this.has(key) ? this.int(key, min) : undefined
  }

  str(key: string, maxLength: number): string {
    const v = this.o[key]
    if (typeof v !== 'string' || v.length > maxLength) {
      this.fail(`${key} must be a string of at most ${maxLength} characters`)
      return ''
    }
    return v
  }

  optStr(key: string, maxLength: number): string | undefined {
    return this.has(key) ? this.str(key, maxLength) : undefined
  }

  /** A channel or method name: non-empty, bounded, printable ASCII. */
  name(key: string, maxLength: number): string {
    const v = this.str(key, maxLength)
    if (this.error === undefined && !NAME_PATTERN.test(v)) this.fail(`${key} must match ${NAME_PATTERN.source}`)
    return v
  }

  bool(key: string): boolean {
    const v = this.o[key]
    if (typeof v !== 'boolean') {
      this.fail(`${key} must be a boolean`)
      return false
    }
    return v
  }

  optBool(key: string): boolean | undefined {
    return this.has(key) ? this.bool(key) : undefined
  }

  /** Any JSON value; `undefined` (absent) is not allowed. Depth was checked on parse. */
  json(key: string): Json {
    if (!this.has(key)) {
      this.fail(`${key} is required`)
      return null
    }
    return this.o[key] as Json
  }

  optJson(key: string): Json | undefined {
    return this.has(key) ? (this.o[key] as Json) : undefined
  }

  state(key: string): PresenceState {
    const v = this.o[key]
    if (v !== 'online' && v !== 'away') {
      this.fail(`${key} must be "online" or "away"`)
      return 'online'
    }
    return v
  }

  position(key: string): StreamPosition | undefined {
    if (!this.has(key)) return undefined
    const v = this.o[key]
    if (!isObj(v)) {
      this.fail(`${key} must be an object {epoch, offset}`)
      return undefined
    }
    const r = this.child(v)
    const pos = { epoch: r.str('epoch', 64), offset: r.int('offset', 0) }
    return r.error === undefined ? pos : undefined
  }

  intArray(key: string, maxItems: number): number[] {
    const v = this.o[key]
    if (!Array.isArray(v) || v.length === 0 || v.length > maxItems || !v.every((x) => Number.isSafeInteger(x) && x > 0)) {
      this.fail(`${key} must be 1..${maxItems} positive integers`)
      return []
    }
    return v as number[]
  }

  publications(key: string): Publication[] {
    return this.array(key, (r) => {
      const p: Publication = { data: r.json('data') }
      const offset = r.optInt('offset', 0)
      if (offset !== undefined) p.offset = offset
      const info = r.publisher('info')
      if (info !== undefined) p.info = info
      return p
    })
  }

  publisher(key: string): PublisherInfo | undefined {
    if (!this.has(key)) return undefined
    const v = this.o[key]
    if (!isObj(v)) {
      this.fail(`${key} must be an object {client, user}`)
      return undefined
    }
    const r = this.child(v)
    const info = { client: r.str('client', this.limits.maxTokenLength), user: r.str('user', this.limits.maxTokenLength) }
    return r.error === undefined ? info : undefined
  }

  member(key: string): PresenceMember {
    const v = this.o[key]
    if (!isObj(v)) {
      this.fail(`${key} must be a presence member`)
      return { client: '', user: '', state: 'online' }
    }
    return this.memberOf(v)
  }

  members(key: string): PresenceMember[] {
    return this.array(key, (r) => r.memberOf(r.o))
  }

  private memberOf(v: Obj): PresenceMember {
    const r = this.child(v)
    const m: PresenceMember = { client: r.str('client', this.limits.maxTokenLength), user: r.str('user', this.limits.maxTokenLength), state: r.state('state') }
    const info = r.optJson('info')
    if (info !== undefined) m.info = info
    return m
  }

  private array<T>(key: string, item: (r: Reader) => T): T[] {
    const v = this.o[key]
    if (!Array.isArray(v)) {
      this.fail(`${key} must be an array`)
      return []
    }
    const out: T[] = []
    for (const x of v) {
      if (!isObj(x)) {
        this.fail(`${key} items must be objects`)
        return []
      }
      const r = this.child(x)
      out.push(item(r))
      if (r.error !== undefined) return []
    }
    return out
  }

  private child(v: Obj): Reader {
    const r = new Reader(v, this.limits)
    // Errors found in a nested object surface on the parent reader.
    const parent = this // eslint-disable-line @typescript-eslint/no-this-alias
    const fail = r.fail.bind(r)
    r.fail = (m) => {
      fail(m)
      parent.fail(m)
    }
    return r
  }
}
