/**
 * A small, strict argument parser for `minisocket`: a command, then `--flag value`,
 * `--flag=value` or boolean `--flag`. Unknown flags and missing values are errors (exit 2),
 * never silently ignored — a typo in `--api-key` must not start a server without a key.
 */

export const usage = `Usage: minisocket serve [options]

Options:
  --port N          port to listen on (default 8080; 0 picks a free port)
  --host HOST       interface to bind (default 127.0.0.1; 0.0.0.0 to expose)
  --config FILE     JSON config: namespaces, limits, heartbeats, origins, jwt (see docs/cli.md)
  --api-key KEY     key for the HTTP API (prefer the MINISOCKET_API_KEY environment variable:
                    command lines are visible to other users in ps)
  --log-level LVL   debug | info | warn | error | silent (default info; logs go to stderr)
  --node-id ID      node name in logs and metrics
  --ready-json      print {"ready":true,"port":N} on stdout instead of the banner
  -h, --help        show this help
  -v, --version     show the version

Environment:
  MINISOCKET_API_KEY      API key for /api/* (overridden by --api-key)
  MINISOCKET_JWT_SECRET   HS256 secret for client tokens (overridden by jwt.secret in the config)
`

export interface ServeArgs {
  port?: number
  host?: string
  config?: string
  apiKey?: string
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  nodeId?: string
  readyJson: boolean
}

export type ParsedArgs = { command: 'help' } | { command: 'version' } | { command: 'serve'; args: ServeArgs }

/** A usage mistake: printed with the usage line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

const valueFlags = new Set(['port', 'host', 'config', 'api-key', 'log-level', 'node-id'])
const booleanFlags = new Set(['ready-json', 'help', 'version'])
const logLevels = ['debug', 'info', 'warn', 'error', 'silent'] as const

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const rest = [...argv]
  if (rest.some((a) => a === '-h' || a === '--help')) return { command: 'help' }
  if (rest.some((a) => a === '-v' || a === '--version')) return { command: 'version' }
  const command = rest.shift()
  if (command === undefined) throw new UsageError('missing command: try `minisocket serve`')
  if (command !== 'serve') throw new UsageError(`unknown command ${JSON.stringify(command)}: the only command is \`serve\``)

  const args: ServeArgs = { readyJson: false }
  const seen = new Set<string>()
  while (rest.length > 0) {
    const token = rest.shift()!
    if (!token.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(token)}`)
    const eq = token.indexOf('=')
    const name = token.slice(2, eq === -1 ? undefined : eq)
    if (seen.has(name)) throw new UsageError(`--${name} given twice`)
    seen.add(name)
    if (booleanFlags.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`)
      if (name === 'ready-json') args.readyJson = true
      continue
    }
    if (!valueFlags.has(name)) throw new UsageError(`unknown option --${name}`)
    let value: string | undefined
    if (eq !== -1) value = token.slice(eq + 1)
    else {
      value = rest.shift()
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`)
    }
    if (value === '') throw new UsageError(`--${name} needs a value`)
    setValue(args, name, value)
  }
  return { command: 'serve', args }
}

function setValue(args: ServeArgs, name: string, value: string): void {
  switch (name) {
    case 'port': {
      const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN
      if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be an integer in 0..65535, got ${JSON.stringify(value)}`)
      args.port = port
      return
    }
    case 'log-level':
      if (!(logLevels as readonly string[]).includes(value)) throw new UsageError(`--log-level must be one of ${logLevels.join(', ')}`)
      args.logLevel = value as ServeArgs['logLevel'] & string
      return
    case 'host':
      args.host = value
      return
    case 'config':
      args.config = value
      return
    case 'api-key':
      args.apiKey = value
      return
    case 'node-id':
      args.nodeId = value
      return
  }
}
