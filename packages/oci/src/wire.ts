/**
 * HTTP/1.1 on node:net and node:tls, with kept-alive connections, for registry traffic.
 *
 * Why not node:http: it hands every socket read to JavaScript in a fresh 64 KiB buffer,
 * and its parser copies each body piece again. On a blob fetch that garbage, waiting for
 * the GC, was most of the resident set, and the two copies most of the CPU beside sha256
 * (npm run bench --scale; the README's "Speed and memory" has the figures). Here each connection
 * reads into one buffer of its own (net's `onread`), and a body is an async iterable of
 * views into that buffer. Reading pauses after every read and resumes only when the next
 * view is asked for, so a view stays valid until then and the buffer is never written
 * under a reader. Nothing is allocated per read.
 */
import { createHash } from 'node:crypto'
import { connect as netConnect, isIP, type OnReadOpts, type Socket } from 'node:net'
import type { ConnectionOptions } from 'node:tls'
import { BodyDecoder, framingOf, FramingError } from './http-framing.js'
import { endpoint, proxyAuthorization } from './proxy.js'
import { youngGarbage } from './young-gc.js'
import { openTunnel } from './tunnel.js'

export type Headers = Record<string, string | string[] | undefined>

export interface WireOptions {
  method: string
  headers: Record<string, string>
  /** Fail when the connection is silent this long (connecting, before the answer, in the body). */
  idleTimeoutMs: number
  /**
   * The certificate authorities to trust for TLS, instead of node's own (its bundled roots and
   * NODE_EXTRA_CA_CERTS): node's `ca` replaces them, it does not add to them.
   */
  ca?: string | Buffer
  /**
   * An http:// proxy to go through (proxy.ts picks it from the environment): HTTPS is
   * tunnelled with CONNECT, plain HTTP is sent to the proxy in absolute form.
   */
  proxy?: URL
}

export interface WireResponse {
  status: number
  /** Lower-case names; repeated headers joined with ", " (set-cookie kept as a list). */
  headers: Headers
  body: ResponseBody
}

/**
 * A response body: iterate it once for views of its bytes, each valid until the next is
 * asked for (a reader that keeps bytes copies them).
 */
export interface ResponseBody extends AsyncIterable<Buffer> {
  /** Abandons the body (its connection is closed). */
  destroy(err?: Error): void
  /** Drops an unwanted body, keeping the connection when that is cheap. */
  discard(): void
}

/**
 * Read buffer sizes. A plain socket read fills up to 64 KiB; TLS hands over one record at a
 * time, at most 16 KiB of plaintext, so a larger buffer would sit mostly empty (and TLS may
 * deliver several records after a pause, each into a buffer of its own).
 */
const READ_BUFFER = 64 * 1024
const TLS_READ_BUFFER = 16 * 1024
const EMPTY = Buffer.alloc(0)
/** Tunnelled TLS reads count this many times more toward a scavenge (Connection). */
const TUNNEL_GC_WEIGHT = 3
const MAX_HEAD = 64 * 1024
/** A body up to this size is read to its end when discarded, to keep the connection. */
const DRAIN_LIMIT = 256 * 1024

/**
 * One connection. Reads land in buffers of its own, handed to node one at a time (`onread`
 * with a buffer function); `buffer[start, end)` is the read being taken, `queued` the reads
 * not reached yet. A socket pauses after each read, but TLS may still deliver the rest of
 * what it decrypted, each piece into the next buffer, so no unread byte is overwritten.
 * TLS through a proxy's tunnel cannot take `onread` (node ignores it beside `socket`): its
 * reads come as 'data' chunks, each queued the same way, with a pause after each.
 */
class Connection {
  readonly socket: Socket
  buffer: Buffer = EMPTY
  start = 0
  end = 0
  closed = false
  error: Error | undefined
  private readonly spare: Buffer[] = []
  private readonly queued: Array<{ buf: Buffer; n: number }> = []
  private wake: (() => void) | undefined
  /** Whether a taken read's buffer goes back to `spare` (onread buffers; not 'data' chunks). */
  private readonly recycle: boolean

  constructor(
    readonly origin: string,
    /** Its idle pool (poolKey): the origin, the CAs it was verified against, the proxy. */
    readonly pool: string,
    url: URL,
    ca: string | Buffer | undefined,
    tls: TlsModule | undefined,
    /** A CONNECT tunnel to carry TLS, or an HTTP proxy to connect to instead of the origin. */
    route: { tunnel?: Socket; via?: URL } = {}
  ) {
    const { host, port } = endpoint(route.via ?? url)
    this.recycle = !route.tunnel
    const onread: OnReadOpts = {
      buffer: () => this.spare.pop() ?? Buffer.allocUnsafeSlow(tls ? TLS_READ_BUFFER : READ_BUFFER),
      callback: (n: number, buf: Uint8Array) => this.onRead(n, buf as Buffer)
    }
    if (tls) {
      // tls.connect takes `onread` as net.connect does (node docs); @types/node omits it.
      const options: ConnectionOptions & { onread: OnReadOpts } = {
        host,
        port,
        onread,
        ALPNProtocols: ['http/1.1'],
        ...(isIP(host) ? {} : { servername: host }),
        ...(ca ? { ca } : {}),
        ...(route.tunnel ? { socket: route.tunnel } : {})
      }
      this.socket = tls.connect(options)
      if (route.tunnel) {
        this.socket.on('data', (chunk: Buffer) => {
          this.onRead(chunk.length, chunk)
          this.socket.pause()
          // Each chunk is a fresh 16 KiB buffer (malloc'd, freed only by a scavenge): with a
          // scavenge every 2 MiB instead of 8 (the reader counts the same bytes again), a
          // 1 GiB fetch through a tunnel peaks at 73 MiB instead of 80 (66 without a proxy);
          // every 1 MiB, 71 MiB but 20% slower.
          youngGarbage(chunk.length * TUNNEL_GC_WEIGHT)
        })
      }
    } else {
      this.socket = netConnect({ host, port, onread })
    }
    this.socket.setNoDelay(true)
    this.socket.on('error', err => {
      this.fail(err)
    })
    this.socket.on('end', () => {
      this.onClose()
    })
    this.socket.on('close', () => {
      this.onClose()
    })
    this.socket.on('timeout', () =>
      this.socket.destroy(new Error(`no data from ${url.host} for ${this.socket.timeout} ms`))
    )
  }

  /** Queues a read and pauses the socket until it is taken (`fill`). */
  private onRead(n: number, buf: Buffer): boolean {
    this.queued.push({ buf, n })
    this.wakeUp()
    return false
  }

  private fail(err: Error): void {
    this.error ??= err
    this.closed = true
    this.wakeUp()
  }

  private onClose(): void {
    this.closed = true
    this.wakeUp()
  }

  private wakeUp(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  /**
   * Makes the next read current once this one is taken: waits for one, or for the end
   * (then start === end and `closed`); throws the connection's error. The previous read's
   * buffer is reused from here on, so views of it must be done with.
   */
  async fill(): Promise<void> {
    while (this.start === this.end) {
      const next = this.queued.shift()
      if (next) {
        if (this.buffer !== EMPTY && this.recycle) this.spare.push(this.buffer)
        this.buffer = next.buf
        this.start = 0
        this.end = next.n
        break
      }
      if (this.closed) break
      await new Promise<void>(resolve => {
        this.wake = resolve
        this.socket.resume()
      })
    }
    if (this.error && this.start === this.end) throw this.error
  }

  get reusable(): boolean {
    return (
      !this.closed && !this.socket.destroyed && this.start === this.end && this.queued.length === 0
    )
  }

  destroy(err?: Error): void {
    if (err) this.error ??= err
    this.closed = true
    this.socket.destroy()
  }
}

type TlsModule = typeof import('node:tls')
let tlsModule: TlsModule | undefined

/**
 * node:tls, loaded for the first HTTPS request: a plain-HTTP run (a mirror on the local
 * network) never loads it. Measured on node 24: 5 MiB resident on a bare node, under 1 MiB
 * beside the crypto and net modules a fetch loads anyway.
 */
async function loadTls(): Promise<TlsModule> {
  tlsModule ??= await import('node:tls')
  return tlsModule
}

/** Idle kept-alive connections by pool (poolKey). */
const idle = new Map<string, Connection[]>()

/**
 * A connection is reused only by requests to its origin that trust what it was verified
 * against: a request with its own `ca` must not take one checked against node's CAs (or
 * another `ca`), nor the other way round.
 */
function poolKey(url: URL, ca: string | Buffer | undefined, proxy: URL | undefined): string {
  const via = proxy ? ` via:${proxy.href}` : ''
  if (!ca || url.protocol !== 'https:') return url.origin + via
  return `${url.origin} ca:${createHash('sha256').update(ca).digest('hex')}${via}`
}

function take(pool: string): Connection | undefined {
  const list = idle.get(pool) ?? []
  for (let conn = list.pop(); conn; conn = list.pop()) {
    if (conn.reusable) return conn
    conn.destroy()
  }
  return undefined
}

function putBack(conn: Connection): void {
  if (!conn.reusable) {
    conn.destroy()
    return
  }
  conn.socket.setTimeout(0)
  conn.socket.unref()
  // Read while idle: a close (or stray bytes) is noticed and the connection not reused.
  conn.socket.resume()
  const list = idle.get(conn.pool) ?? []
  list.push(conn)
  idle.set(conn.pool, list)
}

/** Closes every idle connection (tests; a process exits without it, idle ones are unref'd). */
export function closeIdleConnections(): void {
  for (const list of idle.values()) for (const conn of list) conn.destroy()
  idle.clear()
}

/** Sends one request; resolves when the status line and headers have arrived. */
export async function wireRequest(url: URL, options: WireOptions): Promise<WireResponse> {
  const text = requestHead(url, options)
  const pool = poolKey(url, options.ca, options.proxy)
  const reused = take(pool)
  if (reused) {
    try {
      return await exchange(reused, text, options, true)
    } catch (err) {
      // A kept-alive connection the server closed meanwhile: once more on a new one.
      if (!(err instanceof StaleConnectionError)) throw err
    }
  }
  const tls = url.protocol === 'https:' ? await loadTls() : undefined
  const conn = new Connection(url.origin, pool, url, options.ca, tls, await route(url, options))
  return exchange(conn, text, options, false)
}

/** How a new connection reaches `url`: directly, through a tunnel, or via a proxy. */
async function route(url: URL, options: WireOptions): Promise<{ tunnel?: Socket; via?: URL }> {
  const proxy = options.proxy
  if (!proxy) return {}
  if (url.protocol !== 'https:') return { via: proxy }
  const { host, port } = endpoint(url)
  const target = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`
  return { tunnel: await openTunnel(proxy, target, options.idleTimeoutMs) }
}

/** The connection ended before one byte of the answer: it went stale while idle. */
class StaleConnectionError extends Error {}

async function exchange(
  conn: Connection,
  requestText: string,
  options: WireOptions,
  reused: boolean
): Promise<WireResponse> {
  conn.socket.ref()
  conn.socket.setTimeout(options.idleTimeoutMs)
  conn.socket.write(requestText)
  let framing
  let head
  try {
    head = await readHead(conn, reused)
    framing = framingOf(options.method, head.status, head.headers)
  } catch (err) {
    conn.destroy()
    throw err
  }
  const { status, headers } = head
  const keep = !/\bclose\b/i.test(String(headers.connection ?? ''))
  return { status, headers, body: new WireBody(conn, new BodyDecoder(framing), keep) }
}

/** The request line and headers; plain HTTP through a proxy names the whole URL. */
function requestHead(url: URL, options: WireOptions): string {
  const viaProxy = options.proxy && url.protocol === 'http:' ? options.proxy : undefined
  const target = viaProxy
    ? `${url.origin}${url.pathname}${url.search}`
    : `${url.pathname}${url.search}`
  const lines = [`${options.method} ${target} HTTP/1.1`, `host: ${url.host}`]
  const auth = viaProxy && proxyAuthorization(viaProxy)
  if (auth) lines.push(`proxy-authorization: ${auth}`)
  for (const [name, value] of Object.entries(options.headers)) {
    if (/[\r\n]/.test(name + value) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new Error(`refusing to send header "${name}": invalid name or a line break in it`)
    }
    if (name.toLowerCase() !== 'host') lines.push(`${name}: ${value}`)
  }
  return `${lines.join('\r\n')}\r\n\r\n`
}

/**
 * Reads the status line and headers, skipping 1xx answers; leaves the body unread. On a
 * kept-alive connection (`reused`), an end before the first byte is a StaleConnectionError.
 */
async function readHead(
  conn: Connection,
  reused: boolean
): Promise<{ status: number; headers: Headers }> {
  let text = ''
  let answered = false
  for (;;) {
    try {
      await conn.fill()
    } catch (err) {
      if (reused && !answered && isStale(err)) throw new StaleConnectionError(String(err))
      throw err
    }
    if (conn.start === conn.end) {
      if (reused && !answered) throw new StaleConnectionError('closed while idle')
      throw new FramingError(`${conn.origin} closed the connection before a whole answer`)
    }
    answered = true
    const before = text.length
    text += conn.buffer.toString('latin1', conn.start, conn.end)
    const stop = text.indexOf('\r\n\r\n')
    if (stop < 0) {
      if (text.length > MAX_HEAD) throw new FramingError('response head over 64 KiB')
      conn.start = conn.end
      continue
    }
    // The head ends in this read (the last one held no blank line): the body starts after it.
    conn.start += stop + 4 - before
    const parsed = parseHead(text.slice(0, stop))
    if (parsed.status >= 200) return parsed
    text = '' // 1xx: the real answer follows
  }
}

function isStale(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'ECONNRESET' || code === 'EPIPE'
}

function parseHead(text: string): { status: number; headers: Headers } {
  const [statusLine = '', ...lines] = text.split('\r\n')
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine)
  if (!m) throw new FramingError(`not an HTTP/1.1 status line: "${statusLine.slice(0, 80)}"`)
  const headers: Headers = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw new FramingError(`bad header line "${line.slice(0, 80)}"`)
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    const had = headers[name]
    if (name === 'set-cookie') headers[name] = [...((had as string[] | undefined) ?? []), value]
    else headers[name] = had === undefined ? value : `${String(had)}, ${value}`
  }
  return { status: Number(m[1]), headers }
}

/** A body on a connection: at its end the connection is kept; a body left early closes it. */
class WireBody implements ResponseBody {
  private used = false
  private finished = false

  constructor(
    private readonly conn: Connection,
    private readonly decoder: BodyDecoder,
    private readonly keep: boolean
  ) {
    if (decoder.done) this.finish(true)
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    if (this.used) throw new Error('a response body can be read only once')
    this.used = true
    let complete = false
    try {
      while (!this.decoder.done) {
        await this.conn.fill()
        if (this.conn.start === this.conn.end) {
          this.decoder.end() // the connection ended: the body must have been complete
          continue
        }
        const { view, next } = this.decoder.next(this.conn.buffer, this.conn.start, this.conn.end)
        this.conn.start = next
        if (view && view.length > 0) yield view
      }
      complete = true
    } finally {
      this.finish(complete)
    }
  }

  /** Abandons the body and closes its connection. */
  destroy(err?: Error): void {
    this.used = true
    this.conn.destroy(err)
  }

  /** Drops an unwanted body: a small one is read out to keep the connection, else closed. */
  discard(): void {
    if (this.used || this.decoder.done) return
    void (async () => {
      let size = 0
      for await (const view of this) {
        size += view.length
        if (size > DRAIN_LIMIT) break
      }
    })().catch(() => undefined)
  }

  private finish(complete: boolean): void {
    if (this.finished) return
    this.finished = true
    if (complete && this.keep) putBack(this.conn)
    else this.conn.destroy()
  }
}
