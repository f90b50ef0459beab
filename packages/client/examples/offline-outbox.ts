import WebSocket from 'ws'
import { createClient, ErrorCode, type ClientError, type SyncStorage } from '@minisocket/client/node'

/**
 * Publishes survive being offline, and with `storage` also an app restart (localStorage in a
 * browser; the mini-program entries pass setStorageSync/getStorageSync). Each message keeps its
 * client message id, so a re-send after a lost ack is deduplicated by the server.
 */
export function chatClient(url: string, storage: SyncStorage) {
  const client = createClient({
    url,
    WebSocket,
    outbox: { storage, key: 'chat-outbox', maxCount: 200, maxBytes: 64 * 1024, maxAge: 5 * 60_000 },
  })
  client.on('outbox', ({ reason, data }) => {
    // 'overflow' or 'expired': tell the user this message was not sent.
    console.warn(`not sent (${reason}):`, data)
  })

  async function send(text: string): Promise<'sent' | 'failed'> {
    const sending = client.publish('chat:lobby', { text })
    // sending.status right now: 'sent' (written to the socket), 'queued' (offline) or 'dropped'
    try {
      await sending // resolves on the server's ack, possibly after a reconnect
      return 'sent'
    } catch (e) {
      const error = e as ClientError
      if (error.code === ErrorCode.OutboxOverflow || error.code === ErrorCode.Closed) return 'failed'
      throw error // a refusal by the server: PermissionDenied, TooLarge, ...
    }
  }

  function typing(): void {
    client.publish('chat:typing', true, { volatile: true }) // dropped, not queued, when offline
  }

  return { client, send, typing }
}
