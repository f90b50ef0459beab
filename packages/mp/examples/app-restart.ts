import { createMemoryStorage, createMiniProgram } from '@minisocket/mp'

/** An app kill and restart: the second instance reads what the first wrote with setStorageSync. */
export function appRestart(): unknown {
  const storage = createMemoryStorage() // keep it across instances; or pass your own backend
  const before = createMiniProgram({ platform: 'wx', storage })
  before.api.setStorageSync('outbox', [{ id: 1, text: 'sent while offline' }])
  before.dispose() // the app is killed: sockets dropped, timers cleared, storage kept
  const after = createMiniProgram({ platform: 'wx', storage })
  try {
    return after.api.getStorageSync('outbox')
  } finally {
    after.dispose()
  }
}
