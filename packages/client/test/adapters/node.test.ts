import WebSocket from 'ws'
import { nodeAdapter } from '../../src/adapters/node.js'
import { runAdapterContract } from '../contract/adapter-contract.js'

runAdapterContract({ name: 'node (built-in client)', makeAdapter: () => nodeAdapter() })
runAdapterContract({ name: 'node over ws', makeAdapter: () => nodeAdapter(WebSocket) })
