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
export interface Emitter<E> {
  on<K extends keyof E>(type: K, fn: (event: E[K]) => void): () => void
  emit<K extends keyof E>(type: K, event: E[K]): void
  /** Drops every listener (unsubscribe frees everything). */
  clear(): void
}

// A closure, not a class: it minifies to less (client size budget, issue 3).
export function createEmitter<E>(logger: Logger): Emitter<E> {
  let listeners: { [K in keyof E]?: Array<(event: E[K]) => void> } = {}
  return {
    on(type, fn) {
      // Copy-on-write: an emit in progress keeps iterating the array it started with.
      listeners[type] = [...(listeners[type] ?? []), fn]
      return () => {
        listeners[type] = listeners[type]?.filter((f) => f !== fn)
      }
    },
    emit(type, event) {
      for (const fn of listeners[type] ?? []) {
        try {
          fn(event)
        } catch (error) {
          logger.error('listener threw', { event: String(type), error })
        }
      }
    },
    clear() {
      listeners = {}
    },
  }
}
