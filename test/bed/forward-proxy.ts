/**
 * A forward HTTP proxy on loopback, as a corporate proxy (squid, say) plays it for a build
 * machine: CONNECT tunnels for HTTPS, absolute-form requests (`GET http://host/...`) for
 * plain HTTP, Basic proxy credentials answered with 407. It resolves the names in `hosts`
 * itself, as the proxy of a closed network does for names its clients cannot look up, and
 * reaches loopback only: anything else is 502, so no test leaves this machine.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect, isIP, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { listenLoopback } from './proc.js'

export interface ForwardProxyOptions {
  /** Names only the proxy resolves, to loopback addresses: { 'registry.test': '127.0.0.1' }. */
  hosts?: Record<string, string>
  /** Demand these `user:password` credentials (Proxy-Authorization: Basic) before anything. */
  credentials?: string
}

export interface ForwardProxy {
  url: string
  /** The host:port of every CONNECT asked for, in order. */
  readonly connects: string[]
  /** The absolute URL of every plain-HTTP request forwarded or refused, in order. */
  readonly requests: string[]
  /** Proxy-Authorization headers seen (CONNECT and plain), undefined where none was sent. */
  readonly authorizations: (string | undefined)[]
  stop(): Promise<void>
}

const REFUSE_407 =
  'HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="bed"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const connects: string[] = []
  const requests: string[] = []
  const authorizations: (string | undefined)[] = []
  const upstreams = new Set<Socket>()
  const expected = options.credentials
    ? `Basic ${Buffer.from(options.credentials).toString('base64')}`
    : undefined
  const allowed = (req: IncomingMessage) => {
    const given = req.headers['proxy-authorization']
    authorizations.push(given)
    return !expected || given === expected
  }
  /** host (maybe bracketed) → a loopback address, or undefined when it is not allowed. */
  const resolve = (host: string): string | undefined => {
    const bare = host.replace(/^\[|\]$/g, '')
    const address = options.hosts?.[bare] ?? (isIP(bare) ? bare : undefined)
    return address && (address.startsWith('127.') || address === '::1') ? address : undefined
  }
  const track = (socket: Socket) => {
    upstreams.add(socket)
    socket.on('close', () => upstreams.delete(socket))
    return socket
  }

  const onConnect = (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const target = req.url ?? ''
    connects.push(target)
    client.on('error', () => undefined)
    if (!allowed(req)) {
      client.end(REFUSE_407)
      return
    }
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target)
    const address = m ? resolve(m[1] ?? '') : undefined
    if (!m || !address) {
      client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n')
      return
    }
    const upstream = track(connect({ host: address, port: Number(m[2]) }))
    upstream.on('error', () => client.destroy())
    upstream.on('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    client.on('close', () => upstream.destroy())
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '')
    if (!allowed(req)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="bed"' }).end()
      return
    }
    let url: URL
    try {
      url = new URL(req.url ?? '')
    } catch {
      res.writeHead(400).end('not an absolute-form request')
      return
    }
    const address = resolve(url.hostname)
    if (url.protocol !== 'http:' || !address) {
      res.writeHead(502).end()
      return
    }
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    const upstream = httpRequest(
      {
        host: address,
        port: Number(url.port || 80),
        method: req.method,
        path: url.pathname + url.search,
        headers
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on('socket', s => track(s))
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  }

  const server = await listenLoopback(onRequest, undefined, onConnect)
  return {
    url: `http://127.0.0.1:${server.port}`,
    connects,
    requests,
    authorizations,
    stop: async () => {
      for (const s of upstreams) s.destroy()
      await server.close()
    }
  }
}
