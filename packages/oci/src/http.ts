/**
 * A small HTTP(S) transport on node:http/node:https with keep-alive agents. Node's fetch
 * (undici, web streams) measured ~1.7x slower for large blob bodies on loopback; blobs are
 * the bulk of kedge's work, so requests go through here.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage
} from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 64 })
}

export interface HttpResponse {
  status: number
  url: string
  headers: IncomingHttpHeaders
  body: IncomingMessage
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  /** Abort when the connection is silent this long (before the answer or inside the body). */
  idleTimeoutMs: number
}

export function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

/** Sends one request; resolves when the status line and headers arrived. */
export function request(url: string, options: RequestOptions): Promise<HttpResponse> {
  const target = new URL(url)
  const send =
    target.protocol === 'https:'
      ? httpsRequest
      : target.protocol === 'http:'
        ? httpRequest
        : undefined
  if (!send) return Promise.reject(new Error(`unsupported URL scheme in ${url}`))
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: { 'user-agent': 'kedge', ...options.headers },
        agent: agents[target.protocol as 'http:' | 'https:']
      },
      res => {
        resolve({ status: res.statusCode ?? 0, url, headers: res.headers, body: res })
      }
    )
    req.setTimeout(options.idleTimeoutMs, () => {
      req.destroy(new Error(`no data from ${target.host} for ${options.idleTimeoutMs} ms`))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Reads a whole (small) body, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit: number): Promise<Buffer> {
  const declared = Number(header(res, 'content-length') ?? 0)
  if (declared > limit) {
    res.body.destroy()
    throw new Error(`${res.url} answers ${declared} bytes, over the ${limit}-byte limit`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > limit) {
      res.body.destroy()
      throw new Error(`${res.url} sent more than ${limit} bytes`)
    }
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}

/** Frees the connection of an answer whose body is not wanted. */
export function discard(res: HttpResponse): void {
  res.body.resume()
}
