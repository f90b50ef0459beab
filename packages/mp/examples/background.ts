import { createMiniProgram, type Clock } from '@minisocket/mp'

/**
 * The background cut on a fake clock: 5 s after hide() the socket closes with reason
 * 'interrupted' and network calls fail until show(). Any clock with now/setTimeout/clearTimeout
 * and a way to move time works (FakeClock in this repo, @sinonjs/fake-timers, ...).
 */
export async function backgroundCut(url: string, clock: Clock & { advance(ms: number): void }) {
  const mp = createMiniProgram({ platform: 'wx', clock })
  try {
    const task = mp.api.connectSocket({ url })
    await new Promise<void>((resolve) => task.onOpen(() => resolve()))
    const closed = new Promise((resolve) => task.onClose(resolve))
    mp.hide() // onAppHide listeners run; sockets keep working for 5 s
    clock.advance(5000) // suspended: every socket is cut
    const whileSuspended = await mp.api.sendSocketMessage({ data: 'x' }).catch((fail: { errMsg: string }) => fail.errMsg)
    mp.show() // the API works again; the cut socket stays closed
    return { closed: await closed, whileSuspended, state: mp.appState }
  } finally {
    mp.dispose()
  }
}
