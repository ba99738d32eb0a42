/**
 * Requests for the registry client, on wire.ts (HTTP/1.1 on node:net/node:tls with
 * kept-alive connections and a reused read buffer per connection). Node's fetch (undici,
 * web streams) measured ~1.7x slower than node:http for large blob bodies on loopback, and
 * node:http ~1.7x slower than wire.ts, with far more garbage (README, "Speed and memory").
 */
import { certificateError } from './errors.js'
import { proxyFor, refusal, type ProxyEnv } from './proxy.js'
import { wireRequest, type Headers, type ResponseBody } from './wire.js'

export { closeIdleConnections } from './wire.js'

export interface HttpResponse {
  status: number
  url: string
  headers: Headers
  /** Iterate once; each view is valid until the next is asked for. */
  body: ResponseBody
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  /** Abort when the connection is silent this long (before the answer or inside the body). */
  idleTimeoutMs: number
  /** The only certificate authorities trusted for HTTPS (they replace node's; see wire.ts). */
  ca?: string | Buffer
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (proxy.ts); process.env if unset. */
  proxyEnv?: ProxyEnv
}

export function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

/** Sends one request; resolves when the status line and headers arrived. */
export async function request(url: string, options: RequestOptions): Promise<HttpResponse> {
  const target = new URL(url)
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new Error(`unsupported URL scheme in ${url}`)
  }
  const proxy = proxyFor(target, options.proxyEnv)
  const res = await wireRequest(target, {
    method: options.method ?? 'GET',
    headers: { 'user-agent': 'kedge', ...options.headers },
    idleTimeoutMs: options.idleTimeoutMs,
    ...(options.ca ? { ca: options.ca } : {}),
    ...(proxy ? { proxy } : {})
  }).catch((err: unknown) => {
    // A refused certificate says whose, and what to do (errors.ts); others go as they are.
    throw certificateError(err, target.host) ?? err
  })
  if (proxy && res.status === 407) {
    res.body.discard()
    throw refusal(proxy, `${options.method ?? 'GET'} ${url}`, 407, 'HTTP/1.1 407')
  }
  return { status: res.status, url, headers: res.headers, body: res.body }
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
  for await (const view of res.body) {
    size += view.length
    if (size > limit) {
      res.body.destroy()
      throw new Error(`${res.url} sent more than ${limit} bytes`)
    }
    chunks.push(Buffer.from(view)) // the view's buffer is reused by the next read
  }
  return Buffer.concat(chunks)
}

/** Frees the connection of an answer whose body is not wanted. */
export function discard(res: HttpResponse): void {
  res.body.discard()
}
