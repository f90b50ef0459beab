// Where the demo server runs (`npm start` in the repository root). The devtools simulator
// reaches localhost; a phone needs your computer's LAN address, e.g. 'ws://192.168.1.10:8080/ws',
// with "不校验合法域名" (do not check domain names) ticked in the devtools' Details → Local
// settings — release builds need wss:// on a domain listed in the mini-program's console.
export const SERVER_URL = 'ws://127.0.0.1:8080/ws'
