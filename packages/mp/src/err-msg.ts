/**
 * Every errMsg the emulator produces, in one table (research/platform-api.md §4). Strings are
 * exact copies of what was seen on devices/devtools; the ones marked "emulator" fill a gap in the
 * evidence using the native bridge's `<api>:fail <detail>` format (§2.1.4) and are listed in
 * docs/mini-programs.md.
 */
export type SocketApi = 'connectSocket' | 'sendSocketMessage' | 'closeSocket'

export const OK = {
  connectSocket: 'connectSocket:ok',
  sendSocketMessage: 'sendSocketMessage:ok',
  closeSocket: 'closeSocket:ok',
} as const

export const errMsg = {
  /** OBS: wx.sendSocketMessage / wx.closeSocket with no open socket (MQTT.js #1112). */
  notConnected: (api: SocketApi) => `${api}:fail WebSocket is not connected`,
  /** DEC: the native side dropped the task after close/error. */
  taskIdNotExist: (api: SocketApi) => `${api}:fail taskID not exist`,
  /** DEC: operateSocketTask close with an invalid code. */
  badCloseCode: 'closeSocket:fail The code must be either 1000, or between 3000 and 4999',
  /** emulator: the browser's SyntaxError text for a reason over 123 bytes. */
  reasonTooLong: 'closeSocket:fail The message must not be greater than 123 bytes',
  /** DEC: data neither string nor ArrayBuffer (TypedArrays fail on device, MQTT.js #813). */
  unknownData: 'sendSocketMessage:fail unknown data',
  /** DEC: data missing. */
  missingData: 'sendSocketMessage:fail message is null or nil',
  /** OBS format of parameter validation ("uploadFile:fail parameter error: ..."). */
  parameter: (api: string, name: string, expected: string, actual: unknown) =>
    `${api}:fail parameter error: parameter.${name} should be ${expected} instead of ${typeName(actual)};`,
  /** SRC (Taro H5 / devtools): url that is not ws:// or wss://. */
  invalidUrl: (url: string) => `connectSocket:fail invalid url "${url}"`,
  /** OBS: release build, host not whitelisted or scheme not wss. */
  domainFail: 'connectSocket:fail url not in domain list',
  /** OBS: the same failure delivered as an error event. */
  domainEvent: 'createSocketTask:fail url not in domain list',
  /** OBS: the 6th concurrent socket. */
  exceedMax: (taskId: number) => `createSocketTask:fail wcwss taskID=${taskId} exceed max concurrent count`,
  /** DOC network.html: calls while the app is suspended in the background. */
  interrupted: (api: string) => `${api}:fail interrupted`,
  /** emulator: handshake not finished within the timeout chain. */
  timeout: 'createSocketTask:fail timeout',
  /** emulator (QQ DEC says "network is down"): connect while the network is `none`. */
  networkDown: 'createSocketTask:fail network is down',
  /** OBS: handshake answered with a non-101 status. */
  invalidHttpStatus: 'Invalid HTTP status',
  /** emulator: any other transport failure, with the transport's message. */
  transport: (message: string) => `createSocketTask:fail ${message}`,
  /** OBS (devtools): the runtime is gone — here, after `mp.dispose()`. */
  disposed: (api: string) => `${api}:fail runtime invalidated`,
} as const

/** WeChat's spelling of a value's type in parameter errors ("String", "Undefined", "Null", ...). */
export function typeName(value: unknown): string {
  if (value === null) return 'Null'
  if (value === undefined) return 'Undefined'
  if (Array.isArray(value)) return 'Array'
  if (value instanceof ArrayBuffer) return 'ArrayBuffer'
  const t = typeof value
  return t.charAt(0).toUpperCase() + t.slice(1)
}
