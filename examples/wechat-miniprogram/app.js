import { createClient } from './lib/minisocket.js'
import { createAppOptions } from './lib/app-options.js'
import { SERVER_URL } from './config.js'

App(createAppOptions({ createClient, api: wx, url: SERVER_URL }))
