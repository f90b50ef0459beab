/**
 * The Node adapter's own WebSocket client (RFC 6455 over node:net / node:tls), so that
 * `@minisocket/client/node` needs no dependency: Node 20 has no stable global WebSocket.
 *
 * Why not only `ws`: its client is general (a Writable receiver, corked two-buffer sends,
 * event wrappers). This one does what ours needs and nothing else: one buffer and one write per
 * send, frames read straight from the socket's chunks. At 100 closed-loop clients on one core it
 * spent about a fifth less of the load generator's CPU per round trip than `ws` (4–33 % in six
 * interleaved rounds; bench/src/micro/node-transport.ts, bench/analysis.md). `ws` still works:
 * pass its class as `WebSocket` (e.g. for an HTTP proxy agent).
 *
 * States (one way): connecting → open → closing → closed. `connecting` covers TCP, TLS and the
 * HTTP upgrade; `closing` is our close frame sent, or the server's received and answered.
 * Whatever happens, the app hears one onClose, once the TCP connection is gone.
 */
import { createHash, randomBytes } from 'node:crypto'
import { connect as connectTcp, isIP, type Socket } from 'node:net'
import { connect as connectTls, type ConnectionOptions } from 'node:tls'
import { CloseCode } from '@minisocket/protocol'
import type { OpenOptions, SocketAdapter, SocketHandle, SocketHandlers } from '../core/adapter.js'
import { closePayload, FrameError, FrameReader, isSendableCloseCode, maskedFrame, Opcode } from './node-frames.js'

export interface NodeSocketOptions {
  /** TLS options for wss:// (e.g. `ca` for a private CA); the host name is checked as usual. */
  tls?: ConnectionOptions
  /** The largest message accepted, in bytes; a larger one fails the connection with 1009. Default 64 MiB. */
  maxPayload?: number
  /** How long a close handshake may take before the TCP connection is destroyed, ms. Default 2000. */
  closeTimeoutMs?: number
}

/**
 * - `connecting`: TCP, TLS and the HTTP upgrade in flight;
 * - `open`: frames flow both ways;
 * - `closing`: our close frame sent, or the server's received and answered, or the connection
 *   failed: waiting (at most closeTimeoutMs) for the TCP connection to end;
 * - `closed`: onClose reported; nothing happens any more.
 * docs/state-machines.md has a row per move (N1–N8), and test/adapters/node-socket-states.test.ts
 * a test per row.
 */
export type NodeSocketState = 'connecting' | 'open' | 'closing' | 'closed'

export const nodeSocketTransitions: Readonly<Record<NodeSocketState, readonly NodeSocketState[]>> = {
  connecting: ['open', 'closing', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
/** Upgrade responses larger than this are refused, so a hostile server cannot make us buffer forever. */
const MAX_RESPONSE_HEAD = 16 * 1024
const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024
/**
 * What plain TCP reads into (net's `onread`), shared by every connection of the process: a
 * callback runs to its end before the next read, and the frame reader copies what it keeps.
 * Against 'data' events this saves a Buffer allocation and the Readable stream's push per read
 * (interleaved rounds: about 3 % of the load generator's CPU per round trip, bench/analysis.md).
 * TLS sockets have no `onread` and keep 'data' events.
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024)
const HEADER_TEXT = /^[\t\x20-\x7e\x80-\xff]*$/
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export function nodeSocketAdapter(options: NodeSocketOptions = {}): SocketAdapter {
  return {
    name: 'node',
    open: (url, openOptions, handlers) => openSocket(url, openOptions, handlers, options),
  }
}

function openSocket(url: string, openOptions: OpenOptions, h: SocketHandlers, options: NodeSocketOptions): SocketHandle {
  let state: NodeSocketState = 'connecting'
  // The one funnel for moves. Every caller checks the state first, so a move missing from the
  // table cannot happen; if it did, it is refused rather than thrown into a socket callback.
  const setState = (to: NodeSocketState): void => {
    if (nodeSocketTransitions[state].includes(to)) state = to
  }
  let tcp: Socket | undefined
  let head: Buffer | undefined
  let key = ''
  /** What the app is told when the TCP connection ends: the server's close frame, or 1006 and why. */
  let closeCode: number = CloseCode.Abnormal
  let closeReason = ''
  let closeTimer: ReturnType<typeof setTimeout> | undefined
  let closeReceived = false
  let failed = false
  const reader = new FrameReader(
    {
      text: (data) => state === 'open' && h.onMessage(data),
      binary: (data) => state === 'open' && h.onMessage(data),
      ping: (payload) => state === 'open' && tcp?.write(maskedFrame(Opcode.Pong, payload)),
      close: (code, reason) => {
        // After we failed the connection, the app keeps hearing why (1006 and our reason).
        if (closeReceived || failed) return
        closeReceived = true
        closeCode = code
        closeReason = reason
        // §5.5.1: answer with the same code (unless we sent ours first); the server then ends TCP.
        if (state === 'open') {
          sendClose(code === CloseCode.NoStatus ? undefined : code, '')
          setState('closing')
        }
        tcp?.end()
        armCloseTimer()
      },
    },
    options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
  )

  const armCloseTimer = (): void => {
    if (closeTimer !== undefined) return
    closeTimer = setTimeout(() => {
      if (!closeReceived && !failed) closeReason = 'no close frame from the server within closeTimeoutMs'
      tcp?.destroy()
    }, options.closeTimeoutMs ?? 2000)
    closeTimer.unref?.()
  }

  const sendClose = (code: number | undefined, reason: string): void => {
    tcp?.write(maskedFrame(Opcode.Close, code === undefined ? Buffer.alloc(0) : closePayload(code, reason)))
  }

  /** Ends the connection now and reports it (once): a failed upgrade, a bad frame, a socket error. */
  const fail = (error: Error, code?: number): void => {
    if (state === 'closed') return
    if (code !== undefined && state === 'open') sendClose(code, error.message)
    // The first word stands: a close frame already received (RFC 6455 §7.1.5), or the first
    // failure (a reset after it, or garbage read after a bad frame, says nothing new).
    if (!closeReceived && !failed) {
      closeCode = CloseCode.Abnormal
      closeReason = error.message
    }
    failed = true
    if (state !== 'closing') {
      setState('closing')
      h.onError(error)
    }
    if (tcp) {
      if (code !== undefined) tcp.end()
      else tcp.destroy()
      armCloseTimer()
    } else {
      finish()
    }
  }

  const finish = (): void => {
    if (state === 'closed') return
    setState('closed')
    if (closeTimer !== undefined) clearTimeout(closeTimer)
    h.onClose(closeCode, closeReason)
  }

  /** `transient`: `chunk` views the shared read buffer, valid only during this call. */
  const onData = (chunk: Buffer, transient: boolean): void => {
    try {
      if (state === 'connecting') {
        chunk = upgrade(transient ? Buffer.from(chunk) : chunk) ?? Buffer.alloc(0)
        transient = false
      }
      // After a failure the reader would start mid-frame: nothing more is read.
      if (chunk.length > 0 && state !== 'closed' && !failed) reader.push(chunk, transient)
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)), error instanceof FrameError ? error.code : undefined)
    }
  }

  const onRead = (n: number): boolean => {
    onData(readBuffer.subarray(0, n), true)
    return true // keep reading
  }

  /** Reads the HTTP response to the upgrade; returns the bytes after it once it is whole. */
  const upgrade = (chunk: Buffer): Buffer | undefined => {
    head = head ? Buffer.concat([head, chunk]) : chunk
    const end = head.indexOf('\r\n\r\n')
    if ((end < 0 ? head.length : end) > MAX_RESPONSE_HEAD) throw new Error(`upgrade response headers over ${MAX_RESPONSE_HEAD} bytes`)
    if (end < 0) return undefined
    checkResponse(head.toString('latin1', 0, end), key, openOptions.protocols)
    const rest = head.subarray(end + 4)
    head = undefined
    setState('open')
    h.onOpen()
    return rest
  }

  try {
    const target = parseUrl(url)
    key = randomBytes(16).toString('base64')
    const request = upgradeRequest(target, key, openOptions)
    const host = target.hostname.replace(/^\[|\]$/g, '')
    tcp = target.secure
      ? connectTls({ ...options.tls, host, port: target.port, servername: isIP(host) ? '' : host, ALPNProtocols: ['http/1.1'] })
      : connectTcp({ host, port: target.port, onread: { buffer: readBuffer, callback: onRead } })
    tcp.setNoDelay(true)
    tcp.on(target.secure ? 'secureConnect' : 'connect', () => {
      if (state === 'connecting') tcp?.write(request)
    })
    if (target.secure) tcp.on('data', (chunk: Buffer) => onData(chunk, false))
    tcp.on('error', (error) => fail(error))
    tcp.on('close', () => {
      if (state === 'connecting') closeReason = 'connection closed before the upgrade'
      finish()
    })
  } catch (error) {
    // The contract wants every failure reported after open() returns, never thrown from it.
    queueMicrotask(() => fail(error instanceof Error ? error : new Error(String(error))))
  }

  return {
    send(data) {
      if (state !== 'open') return
      tcp?.write(maskedFrame(typeof data === 'string' ? Opcode.Text : Opcode.Binary, typeof data === 'string' ? data : new Uint8Array(data)))
    },
    close(code, reason) {
      if (state === 'connecting') {
        closeReason = 'closed before the connection was established'
        setState('closing')
        if (tcp) tcp.destroy()
        else queueMicrotask(finish)
        return
      }
      if (state !== 'open') return
      sendClose(isSendableCloseCode(code) ? code : CloseCode.Normal, reason)
      setState('closing')
      armCloseTimer()
    },
  }
}

interface Target {
  secure: boolean
  hostname: string
  host: string
  port: number
  path: string
}

function parseUrl(url: string): Target {
  const u = new URL(url)
  const secure = u.protocol === 'wss:' || u.protocol === 'https:'
  if (!secure && u.protocol !== 'ws:' && u.protocol !== 'http:') throw new SyntaxError(`not a WebSocket URL: ${url}`)
  // An empty fragment ('…#') leaves u.hash empty, and browsers refuse it too (RFC 6455 §3).
  if (u.hash || url.includes('#')) throw new SyntaxError(`a WebSocket URL has no fragment: ${url}`)
  return { secure, hostname: u.hostname, host: u.host, port: Number(u.port) || (secure ? 443 : 80), path: (u.pathname || '/') + u.search }
}

function upgradeRequest(target: Target, key: string, options: OpenOptions): string {
  const lines = [`GET ${target.path} HTTP/1.1`, `Host: ${target.host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13']
  if (options.protocols?.length) {
    // Subprotocols are tokens (RFC 6455 §4.1), which also keeps CR/LF out of the request.
    const bad = options.protocols.find((p, i) => !HEADER_NAME.test(p) || options.protocols!.indexOf(p) !== i)
    if (bad !== undefined) throw new TypeError(`invalid or repeated subprotocol ${JSON.stringify(bad)}`)
    lines.push(`Sec-WebSocket-Protocol: ${options.protocols.join(', ')}`)
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    // CR or LF in a header would let a caller's value forge headers or a second request.
    if (!HEADER_NAME.test(name) || !HEADER_TEXT.test(value)) throw new TypeError(`invalid header ${JSON.stringify(name)}`)
    lines.push(`${name}: ${value}`)
  }
  return lines.join('\r\n') + '\r\n\r\n'
}

/** RFC 6455 §4.1, the client's checks of the server's handshake; throws what failed. */
function checkResponse(head: string, key: string, protocols: readonly string[] | undefined): void {
  const [status = '', ...lines] = head.split('\r\n')
  const code = /^HTTP\/1\.1 (\d{3})/.exec(status)?.[1]
  if (code !== '101') throw new Error(`unexpected server response: ${code ?? status.slice(0, 40)}`)
  const headers = new Map<string, string>()
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  if (headers.get('upgrade')?.toLowerCase() !== 'websocket') throw new Error('upgrade response without "Upgrade: websocket"')
  if (!/(^|,)\s*upgrade\s*(,|$)/i.test(headers.get('connection') ?? '')) throw new Error('upgrade response without "Connection: Upgrade"')
  const accept = createHash('sha1').update(key + GUID).digest('base64')
  if (headers.get('sec-websocket-accept') !== accept) throw new Error('invalid Sec-WebSocket-Accept')
  if (headers.has('sec-websocket-extensions')) throw new Error('the server chose an extension none was offered')
  const chosen = headers.get('sec-websocket-protocol')
  if (chosen !== undefined && !protocols?.includes(chosen)) throw new Error(`the server chose a subprotocol not offered: ${chosen}`)
  if (chosen === undefined && protocols?.length) throw new Error('the server chose none of the offered subprotocols')
}
