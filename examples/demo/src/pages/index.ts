/**
 * The home page's one live line: how many connections the server has, from `admin:stats`.
 * The smallest complete use of the client: connect, subscribe, render publications.
 */
import { createClient } from '@minisocket/client/browser'
import { byId, wsUrl } from './common.js'

const client = createClient({ url: wsUrl() })
client.subscribe('admin:stats', {
  publication: ({ data }) => {
    const n = (data as { connections?: unknown }).connections
    if (typeof n === 'number') byId('live').textContent = `${n} connection${n === 1 ? '' : 's'} open right now (this page included)`
  },
})
client.connect()
