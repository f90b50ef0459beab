/**
 * `minisocket serve`: runs a server node from flags, environment and a JSON config file.
 * Precedence: flags > environment > config file > built-in defaults. Exit codes: 0 after a
 * graceful stop (SIGINT/SIGTERM), 1 when the server fails at runtime (e.g. port in use),
 * 2 for usage and configuration errors. docs/cli.md is the user's guide.
 *
 * @example
 * // packages/server/bin/minisocket.mjs
 * process.exitCode = await runCli(process.argv.slice(2))
 */
import { readFileSync } from 'node:fs'
import type { Logger, ServerOptions } from './api.js'
import { parseArgs, usage, UsageError, type ServeArgs } from './cli/args.js'
import { renderBanner } from './cli/banner.js'
import { checkConfig, ConfigError, loadConfigFile, type CliConfig } from './cli/config.js'
import { createServer } from './index.js'
import { createJwtAuthenticator, JwtConfigError } from './jwt.js'
import { createJsonLogger } from './log.js'

export interface CliIo {
  stdout: { write(s: string): unknown }
  stderr: { write(s: string): unknown }
  env: Record<string, string | undefined>
  /** Calls `handler` on SIGINT/SIGTERM; returns a function that removes it. */
  onSignal(handler: (signal: string) => void): () => void
}

export interface CliDefaults {
  /** A config (same JSON shape as --config) applied under the file: `npm start` embeds one. */
  config?: unknown
}

const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  onSignal(handler) {
    process.on('SIGINT', handler)
    process.on('SIGTERM', handler)
    return () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    }
  },
}

export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }
  return pkg.version ?? '0.0.0'
}

/** Runs the CLI; resolves with the exit code once the command is done (serve: once stopped). */
export async function runCli(argv: readonly string[], ioOverrides: Partial<CliIo> = {}, defaults: CliDefaults = {}): Promise<number> {
  const io: CliIo = { ...processIo, ...ioOverrides }
  const say = (stream: { write(s: string): unknown }, text: string) => {
    try {
      stream.write(text)
    } catch {
      // A closed pipe must not turn a clean stop into a crash.
    }
  }
  let options: ServerOptions
  let args: ServeArgs
  try {
    const parsed = parseArgs(argv)
    if (parsed.command === 'help') return (say(io.stdout, usage), 0)
    if (parsed.command === 'version') return (say(io.stdout, `minisocket ${cliVersion()}\n`), 0)
    args = parsed.args
    const config = mergeConfigs(
      defaults.config === undefined ? undefined : checkConfig(defaults.config, 'built-in defaults'),
      args.config === undefined ? undefined : loadConfigFile(args.config),
    )
    const logLevel = args.logLevel ?? config.logLevel ?? 'info'
    const nodeId = args.nodeId ?? config.server.nodeId
    const logger = createJsonLogger({ level: logLevel, stream: io.stderr, ...(nodeId !== undefined ? { nodeId } : {}) })
    options = buildOptions(args, config, io.env, logger)
  } catch (err) {
    if (err instanceof UsageError) return (say(io.stderr, `minisocket: ${err.message}\n\n${usage}`), 2)
    if (err instanceof ConfigError || err instanceof JwtConfigError) return (say(io.stderr, `minisocket: ${err.message}\n`), 2)
    throw err
  }

  let server: ReturnType<typeof createServer>
  try {
    server = createServer(options)
  } catch (err) {
    // createServer checks its options (ranges, paths) and throws TypeError: a configuration error.
    return (say(io.stderr, `minisocket: invalid configuration: ${(err as Error).message}\n`), 2)
  }
  try {
    await server.listen()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    say(io.stderr, `minisocket: cannot listen on ${options.host}:${options.port}: ${code}\n`)
    await server.close({ drainMs: 0 }).catch(() => undefined)
    return 1
  }

  // Listen for signals before announcing readiness: a supervisor (or a test) may signal the
  // moment it reads the banner, and a pipe write is synchronous, so the reader can act before the
  // next statement here runs. One listener for the whole stop: the first signal drains, a second
  // one means "now" (there is no moment without a listener, when Node's default would kill us).
  let stopNow: (code: number) => void = () => {}
  const forced = new Promise<number>((resolve) => (stopNow = resolve))
  let signalled: (signal: string) => void = () => {}
  const signal = new Promise<string>((resolve) => (signalled = resolve))
  let signals = 0
  const offSignals = io.onSignal((s) => {
    if (++signals === 1) signalled(s)
    else stopNow(1)
  })

  if (args.readyJson) say(io.stdout, JSON.stringify({ ready: true, port: server.port }) + '\n')
  else say(io.stdout, renderBanner({
    version: cliVersion(),
    host: options.host ?? '127.0.0.1',
    port: server.port,
    path: options.path ?? '/ws',
    apiKey: options.apiKey !== undefined,
    auth: options.authenticate === undefined ? 'none (every client is anonymous)' : 'JWT (Authorization: Bearer, ?token= or the connect frame)',
    namespaces: options.namespaces,
    allowedOrigins: options.allowedOrigins,
  }))

  options.logger?.info('shutting down', { signal: await signal })
  const closing = server.close().then(
    () => 0,
    (err: unknown) => {
      options.logger?.error('shutdown failed', { err })
      return 1
    },
  )
  const code = await Promise.race([closing, forced])
  offSignals()
  if (!args.readyJson) say(io.stdout, code === 0 ? 'minisocket: stopped\n' : 'minisocket: stopped without a full drain\n')
  return code
}

function mergeConfigs(base: CliConfig | undefined, file: CliConfig | undefined): CliConfig {
  if (base === undefined) return file ?? { server: {} }
  if (file === undefined) return base
  const server = { ...base.server, ...file.server }
  // Limits merge key by key; lists (namespaces, origins) from the file replace the defaults.
  if (base.server.limits !== undefined || file.server.limits !== undefined) server.limits = { ...base.server.limits, ...file.server.limits }
  const merged: CliConfig = { server }
  const jwt = file.jwt ?? base.jwt
  if (jwt !== undefined) merged.jwt = jwt
  const logLevel = file.logLevel ?? base.logLevel
  if (logLevel !== undefined) merged.logLevel = logLevel
  return merged
}

function buildOptions(args: ServeArgs, config: CliConfig, env: Record<string, string | undefined>, logger: Logger): ServerOptions {
  const options: ServerOptions = { ...config.server, logger }
  options.port = args.port ?? config.server.port ?? 8080
  options.host = args.host ?? config.server.host ?? '127.0.0.1'
  const apiKey = args.apiKey ?? nonEmpty(env.MINISOCKET_API_KEY) ?? config.server.apiKey
  if (apiKey !== undefined) options.apiKey = apiKey
  else delete options.apiKey
  if (args.nodeId !== undefined) options.nodeId = args.nodeId

  const jwt = config.jwt ?? {}
  const secret = jwt.secret ?? nonEmpty(env.MINISOCKET_JWT_SECRET)
  if (secret !== undefined || jwt.jwksUrl !== undefined) {
    if (secret !== undefined && jwt.jwksUrl !== undefined) throw new ConfigError('jwt: give either a secret or jwksUrl, not both')
    options.authenticate = createJwtAuthenticator({
      ...(secret !== undefined ? { secret } : { jwks: jwt.jwksUrl! }),
      algorithms: jwt.algorithms ?? (secret !== undefined ? ['HS256'] : ['RS256']),
      ...(jwt.issuer !== undefined ? { issuer: jwt.issuer } : {}),
      ...(jwt.audience !== undefined ? { audience: jwt.audience } : {}),
      ...(jwt.userClaim !== undefined ? { userClaim: jwt.userClaim } : {}),
      ...(jwt.infoClaim !== undefined ? { infoClaim: jwt.infoClaim } : {}),
      ...(jwt.allowAnonymous !== undefined ? { allowAnonymous: jwt.allowAnonymous } : {}),
      logger,
    })
  }
  return options
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s
}
