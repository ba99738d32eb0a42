/**
 * A loopback HTTP server for release-like assets, with checksum files beside them and
 * fault hooks: a status code, truncation, a corrupted byte, a delay, a dropped connection.
 * It honours `Range: bytes=N-` / `bytes=N-M` (206), so clients can resume.
 */
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { listenLoopback } from './proc.js'

export interface Fault {
  /** Answer with this status (and a short body) instead of the file. */
  status?: number
  /** Announce the full length, send only this many bytes, then cut the connection. */
  truncateAt?: number
  /** Flip the bits of the byte at this offset of the file. */
  corruptByteAt?: number
  /** Wait this long before answering. */
  delayMs?: number
  /** Destroy the connection without answering. */
  drop?: boolean
  /** Apply to this many requests, then stop (default: every request). */
  times?: number
}

export interface RequestRecord {
  method: string
  path: string
  range?: string
  /** The Authorization header, when one was sent. */
  authorization?: string
  status: number
}

export type ChecksumFormat =
  /** `<hex>` alone, e.g. KubeEdge's checksum_<asset>.txt (sha512). */
  | 'bare'
  /** `<hex>  <name>` lines, as sha256sum prints. */
  | 'sum'

export interface FileServer {
  readonly url: string
  readonly requests: RequestRecord[]
  /** Serves `data` at `path` (leading slash optional). */
  put(path: string, data: Buffer | string): void
  /**
   * Writes a checksum file at `checksumPath` for the files at `paths`, in `format`.
   * Returns the checksum file's content.
   */
  putChecksum(
    checksumPath: string,
    paths: string[],
    options: { algorithm: 'sha256' | 'sha512'; format: ChecksumFormat }
  ): string
  /** Injects `fault` into requests for `path`. */
  fault(path: string, fault: Fault): void
  clearFaults(): void
  stop(): Promise<void>
}

function norm(path: string): string {
  return path.startsWith('/') ? path : `/${path}`
}

export function hexDigest(algorithm: 'sha256' | 'sha512', data: Buffer | string): string {
  return createHash(algorithm).update(data).digest('hex')
}

/**
 * The faults that answer before any content: a delay, then a dropped connection or an
 * injected status. Returns true when the request is answered (or dropped). Shared with
 * the proxy.
 */
export async function answerEarlyFault(
  fault: Fault | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  record: { status: number }
): Promise<boolean> {
  if (fault?.delayMs) await new Promise(r => setTimeout(r, fault.delayMs))
  if (fault?.drop) {
    record.status = -1
    req.socket.destroy()
    return true
  }
  if (fault?.status) {
    record.status = fault.status
    res.writeHead(fault.status, { 'content-type': 'text/plain' })
    res.end(`injected fault: ${fault.status}\n`)
    return true
  }
  return false
}

export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, Buffer>()
  const faults = new Map<string, Fault>()
  const requests: RequestRecord[] = []

  const takeFault = (path: string): Fault | undefined => {
    const f = faults.get(path)
    if (!f) return undefined
    if (f.times !== undefined) {
      if (f.times <= 0) return undefined
      f.times -= 1
    }
    return f
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    const record: RequestRecord = { method: req.method ?? 'GET', path, status: 0 }
    if (req.headers.range) record.range = req.headers.range
    if (req.headers.authorization) record.authorization = req.headers.authorization
    requests.push(record)
    const fault = takeFault(path)
    if (await answerEarlyFault(fault, req, res, record)) return
    const data = files.get(path)
    if (!data) {
      record.status = 404
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found\n')
      return
    }
    let body = data
    if (fault?.corruptByteAt !== undefined && fault.corruptByteAt < data.length) {
      body = Buffer.from(data)
      body[fault.corruptByteAt] = (body[fault.corruptByteAt] ?? 0) ^ 0xff
    }
    let status = 200
    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes'
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
    if (range) {
      const start = Number(range[1])
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1
      if (start >= body.length || start > end) {
        record.status = 416
        res.writeHead(416, { 'content-range': `bytes */${body.length}` })
        res.end()
        return
      }
      headers['content-range'] = `bytes ${start}-${end}/${body.length}`
      body = body.subarray(start, end + 1)
      status = 206
    }
    headers['content-length'] = body.length
    record.status = status
    res.writeHead(status, headers)
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    if (fault?.truncateAt !== undefined && fault.truncateAt < body.length) {
      res.write(body.subarray(0, fault.truncateAt), () => req.socket.destroy())
      return
    }
    res.end(body)
  }

  const loopback = await listenLoopback((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)))
    })
  })
  const port = loopback.port

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    put(path, data) {
      files.set(norm(path), Buffer.isBuffer(data) ? data : Buffer.from(data))
    },
    putChecksum(checksumPath, paths, { algorithm, format }) {
      const lines = paths.map(p => {
        const data = files.get(norm(p))
        if (!data) throw new Error(`putChecksum: no file at ${p}`)
        const hex = hexDigest(algorithm, data)
        return format === 'bare' ? hex : `${hex}  ${p.split('/').pop() ?? p}`
      })
      const content = `${lines.join('\n')}\n`
      files.set(norm(checksumPath), Buffer.from(content))
      return content
    },
    fault(path, fault) {
      faults.set(norm(path), { ...fault })
    },
    clearFaults() {
      faults.clear()
    },
    async stop() {
      await loopback.close()
    }
  }
}
