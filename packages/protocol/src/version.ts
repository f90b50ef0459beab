/** Protocol versions this build speaks, newest last. */
export const PROTOCOL_VERSIONS: readonly number[] = [1]
export const PROTOCOL_VERSION = 1

/** Highest version both sides speak, or undefined when there is none. */
export function negotiateVersion(offered: readonly number[], supported: readonly number[] = PROTOCOL_VERSIONS): number | undefined {
  let best: number | undefined
  for (const v of offered) if (supported.includes(v) && (best === undefined || v > best)) best = v
  return best
}
