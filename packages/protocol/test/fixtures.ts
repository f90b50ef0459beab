/** Loads the golden-frame fixtures: for every frame type, the wire text and the decoded object. */
import { readFileSync } from 'node:fs'
import type { ClientFrame, ServerFrame } from '../src/index.js'

export interface Golden<F> {
  name: string
  /** Exactly what goes on the wire. */
  text: string
  /** What the codec decodes it to (and encodes back to `text`). */
  frame: F
}

function load<F>(file: string): Array<Golden<F>> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as Array<Golden<F>>
}

export const clientGolden = load<ClientFrame>('client-frames.json')
export const serverGolden = load<ServerFrame>('server-frames.json')
