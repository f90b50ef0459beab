// A minimal RESP2 client for the redis helper tests (one command in flight; simple strings,
// errors, integers and bulk strings), so the test kit does not depend on a Redis library.
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'

type Reply = string | number | null

export class RedisClient {
  private buffer = ''
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer += d.toString('utf8')
      this.tryReply()
    })
    socket.on('error', (err) => this.waiting?.reject(err))
  }

  static async connect(port: number): Promise<RedisClient> {
    const socket = connect({ host: '127.0.0.1', port })
    await once(socket, 'connect')
    return new RedisClient(socket)
  }

  command(...args: string[]): Promise<Reply> {
    if (this.waiting) return Promise.reject(new Error('one command at a time'))
    const wire = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`
    this.socket.write(wire)
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject }
    })
  }

  close(): void {
    this.socket.destroy()
  }

  private tryReply(): void {
    const end = this.buffer.indexOf('\r\n')
    if (end < 0 || !this.waiting) return
    const line = this.buffer.slice(0, end)
    let reply: Reply | Error
    let used = end + 2
    if (line[0] === '+') reply = line.slice(1)
    else if (line[0] === '-') reply = new Error(line.slice(1))
    else if (line[0] === ':') reply = Number(line.slice(1))
    else if (line === '$-1') reply = null
    else if (line[0] === '$') {
      const len = Number(line.slice(1))
      if (this.buffer.length < used + len + 2) return
      reply = this.buffer.slice(used, used + len)
      used += len + 2
    } else reply = new Error(`unsupported reply: ${line}`)
    this.buffer = this.buffer.slice(used)
    const w = this.waiting
    this.waiting = undefined
    if (reply instanceof Error) w.reject(reply)
    else w.resolve(reply)
  }
}
