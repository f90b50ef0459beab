/**
 * base64 <-> ArrayBuffer without Node's Buffer, for Alipay's binary frames (`isBuffer`), so the
 * browser build has no Node built-in. Uses the global btoa/atob (browsers, Node ≥ 16).
 */
export function arrayBufferToBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer)
  let binary = ''
  const chunk = 0x8000
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk))
  return btoa(binary)
}

/** undefined when `text` is not valid base64. */
export function base64ToArrayBuffer(text: string): ArrayBuffer | undefined {
  let binary: string
  try {
    binary = atob(text)
  } catch {
    return undefined
  }
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out.buffer
}
