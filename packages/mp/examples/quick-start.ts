import { createMiniProgram } from '@minisocket/mp'

/** Opens a socket the WeChat way, sends once, returns the echo and the close. `url`: a ws:// echo server. */
export async function quickStart(url: string): Promise<{ echoed: unknown; closed: { code: number; reason: string } }> {
  const mp = createMiniProgram({ platform: 'wx', env: 'develop' })
  try {
    const task = mp.api.connectSocket({ url }) // a SocketTask, synchronously, as on a phone
    return await new Promise((resolve, reject) => {
      let echoed: unknown
      task.onOpen(() => task.send({ data: 'hello' }))
      task.onMessage(({ data }) => {
        echoed = data
        task.close({ code: 1000, reason: 'done' })
      })
      task.onClose((closed) => resolve({ echoed, closed }))
      task.onError(({ errMsg }) => reject(new Error(errMsg)))
    })
  } finally {
    mp.dispose()
  }
}
