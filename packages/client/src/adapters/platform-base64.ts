/**
 * base64 <-> ArrayBuffer for Alipay's binary frames (`isBuffer: true`, research/platform-api.md
 * §2.3). Hand-written because mini-program runtimes have neither `btoa`/`atob` nor `Buffer`, and
 * `wx.arrayBufferToBase64` is deprecated and absent on Alipay.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

export function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer)
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : '='
    out += i + 2 < bytes.length ? ALPHABET[n & 63]! : '='
  }
  return out
}

/** undefined when `text` is not base64 (a broken frame is dropped, never half-decoded). */
export function fromBase64(text: string): ArrayBuffer | undefined {
  const clean = text.replace(/=+$/, '')
  if (clean.length % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4))
  let bits = 0
  let value = 0
  let j = 0
  for (let i = 0; i < clean.length; i++) {
    const digit = ALPHABET.indexOf(clean[i]!)
    if (digit < 0) return undefined
    value = (value << 6) | digit
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[j++] = (value >> bits) & 255
    }
  }
  return out.buffer
}
