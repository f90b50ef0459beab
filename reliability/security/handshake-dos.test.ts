/**
 * S8–S10: attacks on the HTTP upgrade. Header floods and a huge Sec-WebSocket-Protocol are
 * refused with a 4xx; slowloris sockets (trickled headers, or an upgrade and then silence) are
 * closed by the server's timeouts while a healthy client still gets in; thousands of sockets
 * from one address get 4005 above the per-IP cap while another address is unaffected, and a
 * spoofed X-Forwarded-For changes nothing. The node survives all of it with its pid.
 */
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { test } from 'node:test'
import WebSocket from 'ws'
import { report, spread } from '../lib/figures.js'
import { assertServing, withHostileNode } from '../lib/hostile.js'
import { pick } from '../lib/profile.js'
import { RawClient } from '../lib/raw-client.js'
import { RawSocket, upgradeRequest } from '../lib/raw-socket.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

test('S8: 2 001 headers, a 16 KiB Sec-WebSocket-Protocol and oversized heads → 4xx, node alive', async () => {
  const times: number[] = []
  await withHostileNode({}, async ({ node }) => {
    // CVE-2024-37890: headers past maxHeadersCount (2 000) are dropped, so the key goes missing.
    const flood = Array.from({ length: 2001 }, (_, i) => `x${i}: 1\r\n`).join('')
    const request = upgradeRequest(node.port).replace('\r\n', `\r\n${flood}`)
    const first = await RawSocket.open(node.port, '', 5000, request)
    first.sock.destroy()
    assert.ok(first.status >= 400 && first.status < 500, `2 001 headers → ${first.status}`)
    for (const [name, headers] of [
      ['16 KiB Sec-WebSocket-Protocol of spaces', `Sec-WebSocket-Protocol: a${' '.repeat(16 * 1024)}b\r\n`],
      ['8 KiB comma list of protocols', `Sec-WebSocket-Protocol: ${Array.from({ length: 2000 }, (_, i) => `p${i}`).join(',')}\r\n`],
      ['64 KiB single header', `X-Big: ${'a'.repeat(64 * 1024)}\r\n`],
    ] as const) {
      const started = performance.now()
      const { sock, status } = await RawSocket.open(node.port, headers)
      times.push(performance.now() - started)
      sock.destroy()
      // 101 is acceptable only for the comma list (valid syntax, no subprotocol selection).
      if (name.startsWith('8 KiB')) assert.ok(status === 101 || (status >= 400 && status < 500), `${name} → ${status}`)
      // 0: the server dropped the socket without an answer (its clientError handler), also a refusal.
      else assert.ok(status === 0 || (status >= 400 && status < 500), `${name} → ${status}`)
    }
  })
  report({ scenario: 'S8 header floods', covers: ['S8', 'S16'], inputs: 4, crashes: 0, extra: { answerMsMax: Math.round(Math.max(...times)) } })
})

test('S9: slowloris — trickled headers and silent upgrades are closed by the server; a healthy client gets in', async () => {
  const trickling = pick(200, 500)
  const silent = pick(100, 300)
  const headersTimeoutMs = 2000
  const handshakeTimeoutMs = 1500
  const closedAfter: number[] = []
  const silentCodes = new Map<number, number>()
  await withHostileNode({ limits: { headersTimeoutMs, handshakeTimeoutMs } }, async ({ node }) => {
    const started = Date.now()
    const sockets: Socket[] = []
    let stopTrickle = false
    try {
      for (let i = 0; i < trickling; i++) {
        const s = connect(node.port, '127.0.0.1')
        s.on('error', () => undefined)
        s.once('close', () => closedAfter.push(Date.now() - started))
        s.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n`)
        sockets.push(s)
      }
      // One header line every 500 ms: never finishing, always "active".
      const trickle = (async () => {
        for (let n = 0; n < 60 && !stopTrickle; n++) {
          await sleep(500)
          for (const s of sockets) if (!s.destroyed) s.write(`X-Slow-${n}: 1\r\n`)
        }
      })()
      const silentOnes = await Promise.all(Array.from({ length: silent }, () => RawClient.open(node.url)))
      // During the attack a healthy client connects and is served.
      await assertServing(node)
      const deadline = Date.now() + 15_000
      while (Date.now() < deadline && (closedAfter.length < trickling || silentOnes.some((c) => c.closedWith === undefined))) await sleep(50)
      stopTrickle = true
      await trickle
      for (const c of silentOnes) silentCodes.set(c.closedWith?.code ?? -1, (silentCodes.get(c.closedWith?.code ?? -1) ?? 0) + 1)
      assert.equal(closedAfter.length, trickling, `trickling sockets closed by the server: ${closedAfter.length}/${trickling}`)
      assert.deepEqual([...silentCodes.keys()], [4006], `silent upgrades close codes: ${JSON.stringify([...silentCodes])}`)
    } finally {
      stopTrickle = true
      for (const s of sockets) s.destroy()
    }
  })
  report({ scenario: 'S9 slowloris', covers: ['S9', 'S16'], inputs: trickling + silent, crashes: 0, extra: { closeMsP50: spread(closedAfter).p50, closeMsMax: spread(closedAfter).max, headersTimeoutMs, silent4006: silentCodes.get(4006) ?? 0 } })
})

test('S10: thousands of sockets from one IP → the per-IP cap holds (4005), another IP is unaffected, X-Forwarded-For ignored', async () => {
  const attempts = pick(1000, 3000)
  const cap = 50
  const codes = new Map<string, number>()
  await withHostileNode({ limits: { maxConnectionsPerIp: cap } }, async ({ node }) => {
    const sockets: WebSocket[] = []
    try {
      const outcomes = await Promise.all(
        Array.from({ length: attempts }, (_, i) => {
          // Half of them claim to come from elsewhere: no proxy is trusted, so it must not matter.
          const headers = i % 2 === 0 ? { 'X-Forwarded-For': `10.0.${i >> 8}.${i & 255}` } : {}
          const ws = new WebSocket(node.url, { headers, handshakeTimeout: 10_000 })
          sockets.push(ws)
          ws.on('error', () => undefined)
          return new Promise<string>((resolve) => {
            ws.once('unexpected-response', (_req, res) => resolve(`http ${res.statusCode}`))
            ws.once('close', (code) => resolve(`close ${code}`))
            // The server's disconnect frame names the code before the close handshake ends.
            ws.on('message', (m) => {
              const code = /"type":"disconnect","code":(\d+)/.exec(m.toString())?.[1]
              if (code !== undefined) resolve(`close ${code}`)
            })
            // Still open after the server had time to judge it: an accepted connection.
            ws.once('open', () => setTimeout(() => resolve(ws.readyState === WebSocket.OPEN ? 'open' : `state ${ws.readyState}`), 1500))
          })
        }),
      )
      for (const o of outcomes) codes.set(o, (codes.get(o) ?? 0) + 1)
      assert.ok((codes.get('open') ?? 0) <= cap, `accepted ${codes.get('open')} > cap ${cap}: ${JSON.stringify([...codes])}`)
      assert.ok((codes.get('close 4005') ?? 0) >= attempts - cap, `4005 closes: ${JSON.stringify([...codes])}`)
    } finally {
      for (const ws of sockets) ws.terminate()
    }
    // Another source address (127.0.0.2 is loopback too) is not affected by the first one's cap.
    const fromOther = new WebSocket(node.url, { localAddress: '127.0.0.2' })
    try {
      fromOther.on('error', () => undefined)
      await new Promise<void>((resolve, reject) => {
        fromOther.once('open', () => resolve())
        fromOther.once('error', reject)
      })
      fromOther.send(JSON.stringify({ type: 'connect', id: 1, versions: [1] }))
      const reply = await new Promise<string>((resolve) => fromOther.once('message', (m) => resolve(m.toString())))
      assert.match(reply, /"type":"connected"/, 'a client from another address connects while 127.0.0.1 is capped')
    } finally {
      fromOther.terminate()
    }
  })
  report({ scenario: 'S10 one IP, many sockets', covers: ['S10', 'S16'], inputs: attempts, crashes: 0, extra: Object.fromEntries([...codes].map(([k, v]) => [k.replace(' ', ''), v])) })
})
