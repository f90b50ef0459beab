/**
 * Where emulated storage lives. Keep one backend and hand it to two `createMiniProgram` calls to
 * simulate an app kill and restart: what the first instance wrote with `setStorageSync` is there
 * for the second. A browser test may pass an adapter over `localStorage`.
 *
 * @example
 * const storage = createMemoryStorage()
 * const first = createMiniProgram({ platform: 'wx', storage })
 * first.api.setStorageSync('outbox', [1, 2])
 * first.dispose()                                   // the app is killed
 * const second = createMiniProgram({ platform: 'wx', storage })
 * second.api.getStorageSync('outbox')               // [1, 2]
 */
export interface StorageBackend {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
  clear(): void
  keys(): string[]
}

/** An in-memory backend (a Map of serialized values). */
export function createMemoryStorage(): StorageBackend {
  const map = new Map<string, string>()
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => { map.set(key, value) },
    removeItem: (key) => { map.delete(key) },
    clear: () => map.clear(),
    keys: () => [...map.keys()],
  }
}
