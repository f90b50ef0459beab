import { createClient, type PublishResult } from '@minisocket/client/node'

/** Connect, subscribe, publish, call an RPC, and leave. `url` is e.g. 'ws://127.0.0.1:8080/ws'. */
export async function quickStart(url: string): Promise<{ ack: PublishResult; echoed: unknown; now: unknown; states: string[] }> {
  const client = createClient({ url, token: async () => 'demo-user' })
  const states: string[] = []
  client.on('state', ({ from, to, code }) => states.push(`${from} → ${to} (${code})`))

  const firstMessage = new Promise((resolve) => {
    client.subscribe('chat:lobby', {
      publication: (p) => resolve(p.data),
      subscribed: ({ reload }) => {
        if (reload) {
          // Publications were missed and cannot be replayed: refetch the state from your API.
        }
      },
    })
  })
  client.connect()

  const ack = await client.publish('chat:lobby', { text: 'hello' }) // resolves on the server's ack
  const echoed = await firstMessage
  const now = await client.rpc('time', null, { timeout: 5_000 })
  client.close()
  return { ack, echoed, now, states }
}
