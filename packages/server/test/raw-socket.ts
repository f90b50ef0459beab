/** A WebSocket client on a bare TCP socket: it upgrades, sends frames, and can stop reading. */
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { encodeFrame } from '@minisocket/testkit'

export class RawSocket {
  private constructor(
    readonly socket: Socket,
    /** Bytes received after the HTTP response head. */
    readonly head: string,
  ) {}

  /** Upgrades on `path`; resolves once the 101 arrived. Rejects with the status line otherwise. */
  static open(port: number, path = '/ws', timeoutMs = 3000): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      socket.on('error', () => {})
      let received = ''
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error('no upgrade response in time'))
      }, timeoutMs)
      const onData = (chunk: Buffer): void => {
        received += chunk.toString('latin1')
        const end = received.indexOf('\r\n\r\n')
        if (end < 0) return
        clearTimeout(timer)
        socket.off('data', onData)
        if (!received.startsWith('HTTP/1.1 101')) {
          socket.destroy()
          reject(new Error(received.split('\r\n')[0]))
          return
        }
        resolve(new RawSocket(socket, received.slice(0, end)))
      }
      socket.on('data', onData)
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      )
    })
  }

  sendText(text: string): void {
    this.socket.write(encodeFrame({ opcode: 'text', payload: text }, randomBytes(4)))
  }

  send(frame: unknown): void {
    this.sendText(JSON.stringify(frame))
  }

  /** Stops reading: the kernel buffers fill up and the server's writes back up. */
  stopReading(): void {
    this.socket.pause()
  }

  destroy(): void {
    this.socket.destroy()
  }
}
