import type { OpenOptions, SocketAdapter, SocketHandle, SocketHandlers } from '../core/adapter.js'

/** The WHATWG WebSocket surface both the browser's global and `ws`'s class provide. */
export interface WebSocketLike {
  binaryType: string
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
  send(data: string | ArrayBuffer): void
  close(code?: number, reason?: string): void
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: never) => WebSocketLike

/**
 * Shared body of the browser and Node adapters: both speak the WHATWG interface (ws implements
 * onopen/onmessage/... with text as string and, with binaryType 'arraybuffer', binary as
 * ArrayBuffer). `extra` is the third constructor argument `ws` takes ({ headers }).
 */
export function webSocketAdapter(name: string, getCtor: () => WebSocketConstructor, extra?: (options: OpenOptions) => unknown): SocketAdapter {
  return {
    name,
    open(url: string, options: OpenOptions, h: SocketHandlers): SocketHandle {
      let ws: WebSocketLike | undefined
      let done = false
      const closed = (code: number, reason: string): void => {
        if (done) return
        done = true
        h.onClose(code, reason)
      }
      try {
        const Ctor = getCtor()
        const protocols = options.protocols ? [...options.protocols] : undefined
        ws = extra ? new Ctor(url, protocols, extra(options) as never) : new Ctor(url, protocols)
        ws.binaryType = 'arraybuffer'
        ws.onopen = () => h.onOpen()
        ws.onmessage = (e) => {
          if (!done && (typeof e.data === 'string' || e.data instanceof ArrayBuffer)) h.onMessage(e.data)
        }
        ws.onclose = (e) => closed(e.code, e.reason)
        ws.onerror = (e) => {
          if (!done) h.onError(e)
        }
      } catch (error) {
        // A bad URL throws synchronously (SyntaxError); the contract wants failures reported later.
        Promise.resolve().then(() => {
          h.onError(error)
          closed(1006, String(error))
        })
      }
      return {
        send: (data) => ws?.send(data),
        close(code, reason) {
          try {
            ws?.close(code, reason)
          } catch {
            // already closing or closed
          }
        },
      }
    },
  }
}
