import WebSocket from 'ws'
import { nodeAdapter } from '../../src/adapters/node.js'
import { runAdapterContract } from '../contract/adapter-contract.js'

runAdapterContract({ name: 'node', makeAdapter: () => nodeAdapter(WebSocket) })
