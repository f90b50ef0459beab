import type { Logger } from './logger.js'

/**
 * A tiny typed emitter (aesthetics.md, synthesis 8): one payload per event, `on()` returns its
 * `off()`. Not Node `events` and not `EventTarget` (absent in mini-programs: partysocket #516).
 * A listener that throws is logged and does not stop the others or the client's state machine;
 * emitting `error` with no listener does nothing (it never throws, unlike Node: ws #1719).
 *
 * @example
 * const off = client.on('state', ({ from, to }) => console.log(from, '→', to))
 * off() // detaches exactly this listener
 */
export class Emitter<E> {
  private listeners: { [K in keyof E]?: Array<(event: E[K]) => void> } = {}

  constructor(private readonly logger: Logger) {}

  on<K extends keyof E>(type: K, fn: (event: E[K]) => void): () => void {
    // Copy-on-write: an emit in progress keeps iterating the array it started with.
    this.listeners[type] = [...(this.listeners[type] ?? []), fn]
    return () => {
      this.listeners[type] = this.listeners[type]?.filter((f) => f !== fn)
    }
  }

  emit<K extends keyof E>(type: K, event: E[K]): void {
    for (const fn of this.listeners[type] ?? []) {
      try {
        fn(event)
      } catch (error) {
        this.logger.error('listener threw', { event: String(type), error })
      }
    }
  }

  /** Drops every listener (unsubscribe frees everything). */
  clear(): void {
    this.listeners = {}
  }
}
