/**
 * Protocol versions this build speaks, newest last. v2 differs from v1 in one frame only: the
 * live publication goes as a compact array (`encodeCompactPub`), 30–50 % shorter than v1's object.
 */
export const PROTOCOL_VERSIONS: readonly number[] = [1, 2]
export const PROTOCOL_VERSION = 2

/** Highest version both sides speak, or undefined when there is none. */
export function negotiateVersion(offered: readonly number[], supported: readonly number[] = PROTOCOL_VERSIONS): number | undefined {
  let best: number | undefined
  for (const v of offered) if (supported.includes(v) && (best === undefined || v > best)) best = v
  return best
}
