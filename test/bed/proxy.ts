/**
 * A loopback reverse proxy in front of a registry (or any HTTP server) that counts what
 * passes and injects faults: the same hooks as the file server (status, truncation, a
 * corrupted byte, a delay, a dropped connection) plus a redirect, chosen by a path
 * pattern. Tests use it to count blob GETs and to break responses on purpose. It serves
 * plain HTTP, or HTTPS with `tls`; the target may be either.
 */
import { readFile } from 'node:fs/promises'
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { answerEarlyFault, type Fault } from './fileserver.js'
import { hubAccount, type HubAccount, type HubLimits } from './hub.js'
import { listenLoopback } from './proc.js'
import type { ServerCertificate } from './tls.js'

export interface ProxyFault extends Fault {
  /** Answer 307 with this Location instead of forwarding. */
  redirectTo?: (path: string) => string
  /** Demand this `user:password` with a Basic challenge (401) before forwarding. */
  basicAuth?: string
  /** Leave these (lower-case) response headers out, e.g. docker-content-digest. */
  dropHeaders?: string[]
  /** Replace the whole response body (buffered), e.g. a manifest altered in flight. */
  rewriteBody?: (body: Buffer) => Buffer
}

/**
 * Random faults on a share of the requests whose path matches, reproducible from `seed`:
 * 503, 429, a dropped connection, a body cut short, a corrupted byte, a stall.
 */
export interface Chaos {
  match: RegExp
  /** Share of matching requests broken, 0..1. */
  rate: number
  seed: number
  /** How long a stall lasts (longer than the client's idle timeout, to break it). */
  stallMs?: number
}

export type ChaosKind = 'status-503' | 'status-429' | 'drop' | 'truncate' | 'corrupt' | 'stall'

/** mulberry32: a small seeded PRNG, so a chaos run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function chaosFault(random: () => number, stallMs: number): [ChaosKind, ProxyFault] {
  const kinds: ChaosKind[] = ['status-503', 'status-429', 'drop', 'truncate', 'corrupt', 'stall']
  const kind = kinds[Math.floor(random() * kinds.length)] ?? 'drop'
  // Offsets below 200 bytes: every manifest, config and layer is longer, so the fault bites.
  const offset = Math.floor(random() * 200)
  const fault: Record<ChaosKind, ProxyFault> = {
    'status-503': { status: 503 },
    'status-429': { status: 429 },
    drop: { drop: true },
    truncate: { truncateAt: offset },
    corrupt: { corruptByteAt: offset },
    stall: { delayMs: stallMs, drop: true }
  }
  return [kind, fault[kind]]
}

export interface ProxyRecord {
  method: string
  path: string
  status: number
  /** The random fault chaos injected, if any. */
  chaos?: ChaosKind
  range?: string
  authorization?: string
  /** Body bytes sent to the client. */
  bytes: number
}

export interface Proxy {
  readonly url: string
  /** host:port */
  readonly host: string
  /** TCP connections clients opened to the proxy. */
  readonly connections: number
  readonly requests: ProxyRecord[]
  fault(match: RegExp, fault: ProxyFault): void
  clearFaults(): void
  /** Breaks a share of the matching requests at random (see Chaos); undefined stops it. */
  chaos(settings: Chaos | undefined): void
  /** Plays Docker Hub's pull accounting from now on (a fresh count); undefined stops it. */
  hub(limits: HubLimits | undefined): HubAccount | undefined
  /** GETs whose path matches, e.g. /\/blobs\/sha256:/ */
  count(match: RegExp, method?: string): number
  stop(): Promise<void>
}

export const BLOB_PATH = /\/v2\/.+\/blobs\/sha256:[a-f0-9]{64}$/

export interface ProxyOptions {
  /** Serve HTTPS with this certificate (the proxy's url is then https://). */
  tls?: ServerCertificate
  /** For an https:// target: the CA certificate (PEM path) to trust it by. */
  upstreamCa?: string
}

export async function startProxy(target: string, options: ProxyOptions = {}): Promise<Proxy> {
  const upstream = new URL(target)
  const scheme = options.tls ? 'https' : 'http'
  const ca = options.upstreamCa ? await readFile(options.upstreamCa) : undefined
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest
  const requests: ProxyRecord[] = []
  const rules: Array<{ match: RegExp; fault: ProxyFault }> = []
  // Known once listening; the handler rewrites upload Locations to it.
  let localHost = ''

  let chaos: { settings: Chaos; random: () => number } | undefined
  let hub: HubAccount | undefined

  const take = (path: string, record: ProxyRecord): ProxyFault | undefined => {
    if (chaos?.settings.match.test(path) && chaos.random() < chaos.settings.rate) {
      const [kind, fault] = chaosFault(chaos.random, chaos.settings.stallMs ?? 3000)
      record.chaos = kind
      return fault
    }
    for (const rule of rules) {
      if (!rule.match.test(path)) continue
      if (rule.fault.times !== undefined) {
        if (rule.fault.times <= 0) continue
        rule.fault.times -= 1
      }
      return rule.fault
    }
    return undefined
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const record: ProxyRecord = { method: req.method ?? 'GET', path, status: 0, bytes: 0 }
    if (req.headers.range) record.range = req.headers.range
    if (req.headers.authorization) record.authorization = req.headers.authorization
    requests.push(record)
    const fault = take(path, record)
    if (await answerEarlyFault(fault, req, res, record)) return
    if (
      fault?.basicAuth !== undefined &&
      req.headers.authorization !== `Basic ${Buffer.from(fault.basicAuth).toString('base64')}`
    ) {
      record.status = 401
      res.writeHead(401, {
        'www-authenticate': 'Basic realm="kedge test"',
        'content-type': 'application/json'
      })
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}')
      return
    }
    const admission = hub?.admit(record.method, path) ?? { counted: false }
    const refusal = admission.refusal
    if (refusal) {
      record.status = 429
      res.writeHead(429, refusal.headers)
      res.end(refusal.body)
      return
    }
    if (fault?.redirectTo) {
      record.status = 307
      res.writeHead(307, { location: fault.redirectTo(req.url ?? path) })
      res.end()
      return
    }
    const headers = { ...req.headers, host: upstream.host }
    const forward = send(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        ...(ca ? { ca } : {})
      },
      up => {
        record.status = up.statusCode ?? 0
        const out = { ...up.headers }
        // Rewrite upstream-absolute Locations (upload URLs) back through the proxy.
        if (typeof out.location === 'string' && out.location.startsWith(upstream.origin)) {
          out.location = out.location.replace(upstream.origin, `${scheme}://${localHost}`)
        }
        for (const name of fault?.dropHeaders ?? []) Reflect.deleteProperty(out, name)
        const account = hub
        Object.assign(out, account?.headers(path))
        if (!account?.wantsBody(record.method, path)) account?.served(admission, up.statusCode ?? 0)
        if (fault?.rewriteBody ?? account?.wantsBody(record.method, path)) {
          const rewrite = fault?.rewriteBody ?? ((b: Buffer) => b)
          const chunks: Buffer[] = []
          up.on('data', (chunk: Buffer) => chunks.push(chunk))
          up.on('end', () => {
            const body = rewrite(Buffer.concat(chunks))
            account?.served(admission, up.statusCode ?? 0, body)
            out['content-length'] = String(body.length)
            res.writeHead(up.statusCode ?? 502, out)
            record.bytes += body.length
            res.end(body)
          })
          return
        }
        res.writeHead(up.statusCode ?? 502, out)
        let offset = 0
        up.on('data', (chunk: Buffer) => {
          let data = chunk
          if (fault?.corruptByteAt !== undefined) {
            const at = fault.corruptByteAt - offset
            if (at >= 0 && at < data.length) {
              data = Buffer.from(data)
              data[at] = (data[at] ?? 0) ^ 0xff
            }
          }
          if (fault?.truncateAt !== undefined && offset + data.length > fault.truncateAt) {
            const keep = data.subarray(0, Math.max(0, fault.truncateAt - offset))
            record.bytes += keep.length
            res.write(keep, () => req.socket.destroy())
            up.destroy()
            return
          }
          offset += data.length
          record.bytes += data.length
          res.write(data)
        })
        up.on('end', () => res.end())
        up.on('error', () => req.socket.destroy())
      }
    )
    forward.on('error', () => {
      record.status = 502
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(forward)
  }

  const loopback = await listenLoopback((req, res) => {
    handle(req, res).catch(() => res.destroy())
  }, options.tls)
  localHost = `127.0.0.1:${loopback.port}`
  return {
    url: `${scheme}://${localHost}`,
    host: localHost,
    get connections() {
      return loopback.connections
    },
    requests,
    fault(match, fault) {
      rules.push({ match, fault: { ...fault } })
    },
    clearFaults() {
      rules.length = 0
    },
    hub(limits) {
      hub = limits ? hubAccount(limits) : undefined
      return hub
    },
    chaos(settings) {
      chaos = settings ? { settings, random: seededRandom(settings.seed) } : undefined
    },
    count(match, method = 'GET') {
      return requests.filter(r => r.method === method && match.test(r.path)).length
    },
    async stop() {
      await loopback.close()
    }
  }
}
