/**
 * JWT authentication for the `authenticate` hook, on `jose`. Secure by default
 * (research/reliability.md S3): an explicit algorithm allowlist that must match the key type
 * (HMAC algorithms only with a secret, asymmetric ones only with a public key or JWKS — this
 * closes the RS→HS confusion of CVE-2022-23541), never `none`, `exp` required, clock skew
 * ≤ 30 s, tokens over 4 KiB refused unread, HMAC secrets of at least 256 bits.
 *
 * @example
 * const server = createServer({
 *   authenticate: createJwtAuthenticator({ secret: process.env.JWT_SECRET!, algorithms: ['HS256'] }),
 * })
 */
import { createLocalJWKSet, createRemoteJWKSet, importSPKI, jwtVerify, SignJWT } from 'jose'
import type { CryptoKey, JSONWebKeySet, JWTPayload, JWTVerifyGetKey, KeyObject } from 'jose'
import type { Json } from '@minisocket/protocol'
import type { AuthRequest, Identity, Logger } from './api.js'

export const hmacAlgorithms = ['HS256', 'HS384', 'HS512'] as const
export const asymmetricAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const
export type JwtAlgorithm = (typeof hmacAlgorithms)[number] | (typeof asymmetricAlgorithms)[number]

export interface JwtAuthOptions {
  /** HMAC secret (HS*), at least 32 bytes. Exactly one of secret / publicKey / jwks. */
  secret?: string | Uint8Array
  /** Public key for RS*, PS*, ES*, EdDSA: a PEM (SPKI) string, a CryptoKey or a KeyObject. */
  publicKey?: string | CryptoKey | KeyObject
  /** A JWKS URL (fetched and cached by jose) or an inline key set. */
  jwks?: string | URL | JSONWebKeySet
  /** Accepted `alg` values; required, non-empty, of the key's family. */
  algorithms: readonly JwtAlgorithm[]
  /** Required `iss` / `aud` when set. */
  issuer?: string | string[]
  audience?: string | string[]
  /** Claim that holds the user id. Default 'sub'. */
  userClaim?: string
  /** Claim copied to Identity.info (shown in presence), e.g. 'info' or 'name'. */
  infoClaim?: string
  /** Allowed clock skew for exp/nbf/iat, seconds. Default 5, at most 30. */
  clockToleranceSec?: number
  /** Longer tokens are refused without parsing. Default 4096. */
  maxTokenLength?: number
  /** No token at all → anonymous identity `{ user: '' }` instead of a refusal. Default false. */
  allowAnonymous?: boolean
  clock?: { now(): number }
  /** Refusals are logged at `info` with jose's reason code, never with the token. */
  logger?: Logger
}

/** A configuration mistake, thrown when the authenticator is created (never per request). */
export class JwtConfigError extends Error {
  override name = 'JwtConfigError'
}

const minSecretBytes = 32
const maxUserLength = 255

export function createJwtAuthenticator(options: JwtAuthOptions): (req: AuthRequest) => Promise<Identity | null> {
  const verifyOptions = buildVerifyOptions(options)
  const key = buildKey(options)
  const userClaim = options.userClaim ?? 'sub'
  const maxTokenLength = options.maxTokenLength ?? 4096
  const clock = options.clock ?? Date
  const refuse = (reason: string): null => {
    options.logger?.info('jwt refused', { reason })
    return null
  }

  return async ({ token }) => {
    if (token === undefined || token === '') return options.allowAnonymous === true ? { user: '' } : refuse('no token')
    if (token.length > maxTokenLength) return refuse('token too long')
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, key, { ...verifyOptions, currentDate: new Date(clock.now()) }))
    } catch (err) {
      const code = (err as { code?: unknown }).code
      return refuse(typeof code === 'string' ? code : 'invalid token')
    }
    const user = payload[userClaim]
    if (typeof user !== 'string' || user === '' || user.length > maxUserLength) return refuse(`bad ${userClaim} claim`)
    const identity: Identity = { user }
    if (typeof payload.exp === 'number') identity.expiresAt = payload.exp * 1000
    const info = options.infoClaim === undefined ? undefined : payload[options.infoClaim]
    // The payload came from JSON.parse, so any claim value is JSON.
    if (info !== undefined) identity.info = info as Json
    return identity
  }
}

function buildVerifyOptions(options: JwtAuthOptions) {
  const algorithms = [...(options.algorithms ?? [])] as string[]
  if (algorithms.length === 0) throw new JwtConfigError('jwt: `algorithms` must list at least one algorithm')
  const known = new Set<string>([...hmacAlgorithms, ...asymmetricAlgorithms])
  for (const alg of algorithms) if (!known.has(alg)) throw new JwtConfigError(`jwt: algorithm ${JSON.stringify(alg)} is not supported (never "none")`)
  const sources = [options.secret, options.publicKey, options.jwks].filter((s) => s !== undefined).length
  if (sources !== 1) throw new JwtConfigError('jwt: give exactly one of `secret`, `publicKey`, `jwks`')
  const hmac = algorithms.filter((a) => (hmacAlgorithms as readonly string[]).includes(a))
  if (options.secret !== undefined && hmac.length !== algorithms.length)
    throw new JwtConfigError('jwt: a `secret` only verifies HS256/HS384/HS512 (mixing in asymmetric algorithms invites key confusion)')
  if (options.secret === undefined && hmac.length > 0)
    throw new JwtConfigError('jwt: HS* algorithms need a `secret`; with a public key they would accept forgeries (CVE-2022-23541)')
  const tolerance = options.clockToleranceSec ?? 5
  if (!(tolerance >= 0 && tolerance <= 30)) throw new JwtConfigError('jwt: `clockToleranceSec` must be within 0..30')
  return {
    algorithms,
    clockTolerance: tolerance,
    requiredClaims: ['exp'],
    ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
    ...(options.audience !== undefined ? { audience: options.audience } : {}),
  }
}

function buildKey(options: JwtAuthOptions): Uint8Array | CryptoKey | KeyObject | JWTVerifyGetKey {
  if (options.secret !== undefined) return secretBytes(options.secret)
  if (options.jwks !== undefined) {
    const jwks = options.jwks
    if (typeof jwks === 'string' || jwks instanceof URL) return createRemoteJWKSet(new URL(jwks))
    return createLocalJWKSet(jwks)
  }
  const publicKey = options.publicKey
  if (typeof publicKey !== 'string') return publicKey as CryptoKey | KeyObject
  // A PEM imports per algorithm (WebCrypto keys are bound to one); import once per alg, lazily.
  const imported = new Map<string, Promise<CryptoKey>>()
  return async (header) => {
    const alg = header.alg ?? ''
    let key = imported.get(alg)
    if (key === undefined) {
      key = importSPKI(publicKey, alg)
      imported.set(alg, key)
    }
    return key
  }
}

function secretBytes(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
  if (bytes.length < minSecretBytes)
    throw new JwtConfigError(`jwt: the HMAC secret must be at least ${minSecretBytes} bytes (256 bits); got ${bytes.length}`)
  return bytes
}

export interface SignJwtOptions {
  secret: string | Uint8Array
  algorithm?: (typeof hmacAlgorithms)[number]
  /** Lifetime in seconds. Default 600; tokens without expiry are not offered. */
  expiresInSec?: number
  issuer?: string
  audience?: string
  clock?: { now(): number }
}

/**
 * Signs an HMAC JWT: for tests, local tools and docs examples. Production tokens usually come
 * from your auth service; this exists so the examples in docs/ run as written.
 *
 * @example
 * const token = await signJwt({ sub: 'alice', info: { name: 'Alice' } }, { secret })
 */
export async function signJwt(claims: Record<string, Json>, options: SignJwtOptions): Promise<string> {
  const key = secretBytes(options.secret)
  const now = Math.floor((options.clock ?? Date).now() / 1000)
  const lifetime = options.expiresInSec ?? 600
  if (!(lifetime > 0)) throw new JwtConfigError('jwt: `expiresInSec` must be positive')
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: options.algorithm ?? 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + lifetime)
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer)
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience)
  return jwt.sign(key)
}
