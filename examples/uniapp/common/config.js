// Where the demo server runs (`npm start` in the repository root). H5 and the WeChat devtools
// reach localhost; a phone needs your computer's LAN address, e.g. 'ws://192.168.1.10:8080/ws'
// (and, in mp-weixin, "不校验合法域名" ticked in the devtools' local settings).
export const SERVER_URL = 'ws://127.0.0.1:8080/ws'
