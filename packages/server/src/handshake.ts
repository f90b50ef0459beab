/**
 * The connect frame: version negotiation, authentication (when the token was not already
 * checked on the upgrade), the per-user connection limit, and session resume.
 */
import { CloseCode, type ConnectFrame, negotiateVersion, PROTOCOL_VERSIONS } from '@minisocket/protocol'
import type { Identity } from './api.js'
import type { Connection } from './connection.js'

/** Runs the `authenticate` hook; null, a throw, or a malformed identity refuse. */
export async function runAuthenticate(conn: Connection, token: string | undefined): Promise<Identity | null> {
  const hook = conn.ctx.authenticate
  if (hook === undefined) return { user: '' }
  // Kept by the connection only until now (see Connection.request); a connect frame comes once.
  const request = conn.takeRequest()
  if (request === undefined) return null
  try {
    const identity = await hook({ token, request })
    if (identity === null || typeof identity !== 'object' || typeof identity.user !== 'string') return null
    return identity
  } catch (err) {
    conn.ctx.options.logger.info('authenticate refused', { ip: conn.ip, error: (err as Error)?.message })
    return null
  }
}

export async function acceptConnect(conn: Connection, frame: ConnectFrame): Promise<void> {
  const { options, registry, sessions, presence } = conn.ctx
  const version = negotiateVersion(frame.versions)
  if (version === undefined) {
    conn.disconnect(CloseCode.UnsupportedVersion, `unsupported protocol version; server speaks ${PROTOCOL_VERSIONS.join(',')}`)
    return
  }
  const identity = conn.preIdentity ?? (await runAuthenticate(conn, frame.token))
  if (conn.state !== 'handshaking') return
  if (identity === null) {
    options.logger.info('connection unauthorized', { ip: conn.ip })
    conn.disconnect(CloseCode.Unauthorized, 'unauthorized')
    return
  }
  if (identity.expiresAt !== undefined && identity.expiresAt <= options.clock.now()) {
    conn.disconnect(CloseCode.TokenExpired, 'token expired')
    return
  }
  if (!conn.ctx.accepting()) {
    conn.disconnect(CloseCode.Shutdown, 'server shutting down', 0)
    return
  }
  if (identity.user !== '' && registry.userCount(identity.user) >= options.limits.maxConnectionsPerUser) {
    options.logger.warn('too many connections for user', { user: identity.user })
    conn.disconnect(CloseCode.TooManyConnections, 'too many connections for this user')
    return
  }
  const info = frame.info ?? identity.info
  const claimed = frame.session === undefined ? undefined : sessions.claim(frame.session, identity.user, conn)
  const record = claimed?.record ?? sessions.create(identity.user, info, conn)
  if (claimed !== undefined && info !== undefined) record.info = info
  const previous = claimed?.previous as Connection | undefined
  if (previous !== undefined && previous !== conn) previous.disconnect(CloseCode.Kicked, 'session resumed by another connection')
  conn.open(frame.id, record, version, claimed !== undefined, identity)
  // Resumed: away → online as a join upsert on every channel the session is still a member of.
  if (claimed !== undefined) await presence.setState(record, 'online')
}
