import { createClient, type Client } from '@minisocket/client/node'

/** A client of a wss:// server whose certificate comes from a private CA (`ca`: PEM text). */
export function privateCaClient(url: string, ca: string): Client {
  return createClient({ url, socket: { tls: { ca } } })
}
