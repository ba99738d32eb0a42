/**
 * Process and port helpers for the test bed. Every process started here is stopped by its
 * owner (the tests call stop() in afterAll); a last-resort exit hook kills any survivor so
 * a crashed test run leaves no registry or containerd behind.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer, type Socket } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createWriteStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import { promisify } from 'node:util'
import type { ServerCertificate } from './tls.js'

const execFileAsync = promisify(execFile)
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => {
        resolve(port)
      })
    })
  })
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `kedge-${prefix}-`))
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** Polls `probe` until it returns true, or fails after `timeoutMs` with `what` and the last error. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 20000
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      if (await probe()) return
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`)
    }
    await new Promise(r => setTimeout(r, 100))
  }
}

export interface Daemon {
  readonly child: ChildProcess
  readonly logFile: string
  /** Resolves with the exit code, or null when killed by a signal. */
  readonly exited: Promise<number | null>
  stop(): Promise<void>
}

/** Starts a long-running program with its output in `logFile`. */
export function startDaemon(command: string, args: string[], logFile: string): Daemon {
  const log = createWriteStream(logFile)
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.pipe(log, { end: false })
  child.stderr.pipe(log, { end: false })
  live.add(child)
  const exited = new Promise<number | null>(resolve => {
    child.on('exit', code => {
      live.delete(child)
      resolve(code)
    })
    child.on('error', err => {
      live.delete(child)
      log.write(`spawn failed: ${err.message}\n`)
      resolve(-1)
    })
  })
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
      await exited
      clearTimeout(timer)
    }
    await new Promise<void>(resolve => log.end(resolve))
  }
  return { child, logFile, exited, stop }
}

export interface RunResult {
  stdout: string
  stderr: string
}

/** Runs a program to completion; a non-zero exit throws with its stderr. */
export async function run(command: string, args: string[], timeoutMs = 300000): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024
    })
    return { stdout, stderr }
  } catch (err) {
    const e = err as Error & { stderr?: string; code?: number | string }
    throw new Error(
      `${command} ${args.join(' ')} failed (${String(e.code)}): ${e.stderr?.trim() ?? e.message}`,
      { cause: err }
    )
  }
}

export interface LoopbackServer {
  readonly port: number
  /** TCP connections accepted so far. */
  readonly connections: number
  /** Cuts open connections and closes the server. */
  close(): Promise<void>
}

/**
 * An HTTP server on 127.0.0.1 (a free port) that tracks its connections, so close() is
 * prompt; HTTPS with `tls` (tls.ts: its PEM certificate and key files).
 */
export async function listenLoopback(
  handler: RequestListener,
  tls?: ServerCertificate,
  /** Answers CONNECT requests (a forward proxy); without it node closes them. */
  onConnect?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
): Promise<LoopbackServer> {
  const sockets = new Set<Socket>()
  const server = tls
    ? createHttpsServer(
        { cert: await readFile(tls.certPath), key: await readFile(tls.keyPath) },
        handler
      )
    : createHttpServer(handler)
  if (onConnect) server.on('connect', onConnect)
  let connections = 0
  server.on('connection', (s: Socket) => {
    connections += 1
    sockets.add(s)
    s.on('close', () => {
      sockets.delete(s)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    get connections() {
      return connections
    },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>(resolve => {
        server.close(() => {
          resolve()
        })
      })
    }
  }
}
