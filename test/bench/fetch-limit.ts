/**
 * The physical limits the fetch bench compares kedge with, run as a child process:
 *   node fetch-limit.js net  <file of URLs>      every blob GET in parallel (8 at a time) on
 *                                                raw sockets, each reading into one reused
 *                                                buffer, into sha256 and nowhere else: the
 *                                                cold limit (the fastest way we know to get
 *                                                the bytes and hash them in node)
 *   node fetch-limit.js net-http <file of URLs>  the same through node:http, the limit the
 *                                                bench used before kedge left node:http
 *                                                (wire.ts); printed for comparison
 *   node fetch-limit.js disk <file of paths>     every cached blob read and hashed, one after
 *                                                another: the warm limit (read and hash)
 *   node fetch-limit.js write <bytes> <path>     that many bytes written to a new file in
 *                                                1 MiB writes: not a limit kedge is held to,
 *                                                but what writing the archive alone costs on
 *                                                this machine, which any fetch that keeps
 *                                                the bytes pays and the limits above do not
 * The raw reader is deliberately minimal (plain HTTP, Content-Length bodies, which is what
 * the bench's Debian registry sends) and shares no code with kedge's transport, so the
 * limit does not merely agree with the code it measures.
 */
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, createReadStream, openSync, readFileSync, writeSync } from 'node:fs'
import { get } from 'node:http'
import { connect, type Socket } from 'node:net'

async function fetchHashHttp(url: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    get(url, res => {
      const hash = createHash('sha256')
      res.on('data', (c: Buffer) => hash.update(c))
      res.on('end', () => {
        hash.digest()
        resolve()
      })
      res.on('error', reject)
    }).on('error', reject)
  })
}

/** One kept-alive raw connection per worker; reads land in one buffer, hashed at once. */
class RawConnection {
  private onData: ((view: Buffer) => void) | undefined
  private readonly socket: Socket
  failure: ((err: Error) => void) | undefined

  constructor(host: string, port: number) {
    const buffer = Buffer.allocUnsafeSlow(64 * 1024)
    this.socket = connect({
      host,
      port,
      onread: {
        buffer,
        callback: (n: number) => {
          this.onData?.(buffer.subarray(0, n))
          return true // hashed already: the buffer is free for the next read
        }
      }
    })
    this.socket.on('error', err => this.failure?.(err))
  }

  /** GETs `url`'s path and hashes its Content-Length body. */
  get(url: URL): Promise<void> {
    return new Promise((resolve, reject) => {
      this.failure = reject
      let head = ''
      let left = -1
      const hash = createHash('sha256')
      this.onData = view => {
        let body = view
        if (left < 0) {
          const before = head.length
          head += view.toString('latin1')
          const end = head.indexOf('\r\n\r\n')
          if (end < 0) return
          left = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
          body = view.subarray(end + 4 - before)
        }
        hash.update(body)
        left -= body.length
        if (left <= 0) {
          hash.digest()
          this.onData = undefined
          resolve()
        }
      }
      this.socket.write(`GET ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`)
    })
  }

  close(): void {
    this.socket.destroy()
  }
}

async function readHash(path: string): Promise<void> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer)
  }
  hash.digest()
}

/** Runs `work` over `items`, 8 at a time; each worker gets its own `open()` state. */
async function parallel<T>(
  items: string[],
  open: () => T,
  work: (state: T, item: string) => Promise<void>,
  close: (state: T) => void
) {
  const queue = [...items]
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      const state = open()
      for (let item = queue.shift(); item; item = queue.shift()) await work(state, item)
      close(state)
    })
  )
}

/** Writes `bytes` bytes (random, from one reused 1 MiB buffer) to a new file at `path`. */
function writeFile(bytes: number, path: string): void {
  const chunk = randomBytes(1024 * 1024)
  const fd = openSync(path, 'wx')
  try {
    for (let done = 0; done < bytes;) {
      done += writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done))
    }
  } finally {
    closeSync(fd)
  }
}

const [mode, listFile, target] = process.argv.slice(2)
const items =
  mode === 'write'
    ? []
    : readFileSync(listFile ?? '', 'utf8')
        .split('\n')
        .filter(Boolean)
if (mode === 'write') {
  writeFile(Number(listFile), target ?? '')
} else if (mode === 'net') {
  const first = new URL(items[0] ?? 'http://127.0.0.1:1/')
  await parallel(
    items,
    () => new RawConnection(first.hostname, Number(first.port)),
    (conn, url) => conn.get(new URL(url)),
    conn => {
      conn.close()
    }
  )
} else if (mode === 'net-http') {
  await parallel(
    items,
    () => undefined,
    (_, url) => fetchHashHttp(url),
    () => undefined
  )
} else if (mode === 'disk') {
  for (const path of items) await readHash(path)
} else {
  throw new Error('usage: fetch-limit.js net|net-http|disk <list file> | write <bytes> <path>')
}
