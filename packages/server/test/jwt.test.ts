import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose'
import { FakeClock } from '@minisocket/testkit'
import { createJwtAuthenticator, JwtConfigError, signJwt } from '../src/jwt.js'

const secret = 'a-test-secret-that-is-at-least-32-bytes-long'
const otherSecret = 'another-secret-that-is-at-least-32-bytes-long'
const request = {} as IncomingMessage
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

function hsAuth(clock: FakeClock, extra: Partial<Parameters<typeof createJwtAuthenticator>[0]> = {}) {
  return createJwtAuthenticator({ secret, algorithms: ['HS256'], clock, infoClaim: 'info', ...extra })
}

test('accepts a valid HS256 token: user from sub, info claim, expiresAt from exp', async () => {
  const clock = new FakeClock()
  const token = await signJwt({ sub: 'alice', info: { name: 'Alice' } }, { secret, clock, expiresInSec: 60 })
  const identity = await hsAuth(clock)({ token, request })
  assert.deepEqual(identity, { user: 'alice', info: { name: 'Alice' }, expiresAt: Math.floor(clock.now() / 1000) * 1000 + 60_000 })
})

test('refuses the forged-token table (reliability.md S3)', async () => {
  const clock = new FakeClock()
  const nowSec = Math.floor(clock.now() / 1000)
  const auth = hsAuth(clock, { issuer: 'https://auth.example', audience: 'minisocket' })
  const good = (claims: Record<string, unknown> = {}, key = secret, alg = 'HS256') =>
    new SignJWT({ sub: 'alice', ...claims })
      .setProtectedHeader({ alg })
      .setIssuer('https://auth.example')
      .setAudience('minisocket')
      .setExpirationTime(nowSec + 60)
      .sign(new TextEncoder().encode(key))
  const valid = await good()
  assert.deepEqual((await auth({ token: valid, request }))?.user, 'alice', 'control: the valid token passes')
  const [h, p, s] = valid.split('.') as [string, string, string]

  const cases: Record<string, string> = {
    'signed with another secret': await good({}, otherSecret),
    'alg none': new UnsecuredJWT({ sub: 'alice', iss: 'https://auth.example', aud: 'minisocket', exp: nowSec + 60 }).encode(),
    'alg none, signature kept': `${b64({ alg: 'none' })}.${p}.${s}`,
    'wrong algorithm (HS512)': await good({}, secret, 'HS512'),
    'tampered payload': `${h}.${b64({ sub: 'admin', iss: 'https://auth.example', aud: 'minisocket', exp: nowSec + 60 })}.${s}`,
    'empty signature': `${h}.${p}.`,
    expired: await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://auth.example').setAudience('minisocket').setExpirationTime(nowSec - 60).sign(new TextEncoder().encode(secret)),
    'not yet valid (nbf)': await good({ nbf: nowSec + 600 }),
    'wrong audience': await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://auth.example').setAudience('other').setExpirationTime(nowSec + 60).sign(new TextEncoder().encode(secret)),
    'wrong issuer': await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://evil.example').setAudience('minisocket').setExpirationTime(nowSec + 60).sign(new TextEncoder().encode(secret)),
    'no exp': await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://auth.example').setAudience('minisocket').sign(new TextEncoder().encode(secret)),
    'no sub': await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://auth.example').setAudience('minisocket').setExpirationTime(nowSec + 60).sign(new TextEncoder().encode(secret)),
    '10 KiB token': await good({ pad: 'x'.repeat(10 * 1024) }),
    'non-JSON header': `${Buffer.from('{not json').toString('base64url')}.${p}.${s}`,
    'garbage': 'not-a-jwt',
    'three empty parts': '..',
  }
  for (const [name, token] of Object.entries(cases)) assert.equal(await auth({ token, request }), null, name)
  assert.ok(Object.keys(cases).length >= 12)
})

test('the fake clock drives expiry: valid before exp + tolerance, refused after', async () => {
  const clock = new FakeClock()
  const token = await signJwt({ sub: 'bob' }, { secret, clock, expiresInSec: 10 })
  const auth = hsAuth(clock, { clockToleranceSec: 0 })
  clock.advance(9_000)
  assert.equal((await auth({ token, request }))?.user, 'bob')
  clock.advance(2_000)
  assert.equal(await auth({ token, request }), null)
})

test('RS256 with a PEM public key; an HS256 token keyed with that public key is refused (CVE-2022-23541)', async () => {
  const clock = new FakeClock()
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  const pem = await exportSPKI(publicKey)
  const auth = createJwtAuthenticator({ publicKey: pem, algorithms: ['RS256'], clock })
  const nowSec = Math.floor(clock.now() / 1000)
  const rs = await new SignJWT({ sub: 'carol' }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime(nowSec + 60).sign(privateKey)
  assert.equal((await auth({ token: rs, request }))?.user, 'carol')
  const confused = await new SignJWT({ sub: 'carol' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(nowSec + 60).sign(new TextEncoder().encode(pem))
  assert.equal(await auth({ token: confused, request }), null)
})

test('inline JWKS: known kid accepted, unknown kid refused', async () => {
  const clock = new FakeClock()
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }
  const auth = createJwtAuthenticator({ jwks: { keys: [jwk] }, algorithms: ['ES256'], clock })
  const nowSec = Math.floor(clock.now() / 1000)
  const sign = (kid: string) => new SignJWT({ sub: 'dave' }).setProtectedHeader({ alg: 'ES256', kid }).setExpirationTime(nowSec + 60).sign(privateKey)
  assert.equal((await auth({ token: await sign('k1'), request }))?.user, 'dave')
  assert.equal(await auth({ token: await sign('k2'), request }), null)
})

test('no token: refused by default, anonymous when allowed', async () => {
  const clock = new FakeClock()
  assert.equal(await hsAuth(clock)({ token: undefined, request }), null)
  assert.deepEqual(await hsAuth(clock, { allowAnonymous: true })({ token: undefined, request }), { user: '' })
})

test('refusals are logged with a reason and never with the token', async () => {
  const clock = new FakeClock()
  const lines: string[] = []
  const log = (msg: string, fields?: Record<string, unknown>) => lines.push(JSON.stringify({ msg, ...fields }))
  const auth = hsAuth(clock, { logger: { debug: log, info: log, warn: log, error: log } })
  const token = await signJwt({ sub: 'eve' }, { secret: otherSecret, clock })
  assert.equal(await auth({ token, request }), null)
  assert.equal(lines.length, 1)
  assert.ok(!lines[0]!.includes(token.split('.')[2]!))
  assert.match(lines[0]!, /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/)
})

test('configuration mistakes throw JwtConfigError at creation', () => {
  const bad: Array<Parameters<typeof createJwtAuthenticator>[0]> = [
    { secret, algorithms: [] },
    { secret, algorithms: ['none' as 'HS256'] },
    { secret: 'short', algorithms: ['HS256'] },
    { secret, algorithms: ['HS256', 'RS256'] },
    { publicKey: '-----BEGIN PUBLIC KEY-----', algorithms: ['HS256'] },
    { algorithms: ['HS256'] },
    { secret, jwks: { keys: [] }, algorithms: ['HS256'] },
    { secret, algorithms: ['HS256'], clockToleranceSec: 300 },
  ]
  for (const options of bad) assert.throws(() => createJwtAuthenticator(options), JwtConfigError, JSON.stringify(options))
})

test('signJwt refuses weak secrets', async () => {
  await assert.rejects(signJwt({ sub: 'x' }, { secret: 'short' }), JwtConfigError)
})
