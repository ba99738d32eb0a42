/**
 * A registry client for the distribution HTTP API v2: manifests and blobs, anonymous or
 * with credentials, the Bearer-token challenge flow, mirrors tried before the origin,
 * plain HTTP only for registries listed as insecure, and redirects followed by hand so
 * that Authorization is dropped when a redirect leaves the host (blob CDNs).
 */
import { createHash } from 'node:crypto'
import { basicAuth, CredentialStore, parseChallenge, type Credential } from './auth.js'
import { discard, header, readBody, request, type HttpResponse } from './http.js'
import { silentLogger, type Logger } from './log.js'
import { describeError, isError, isPermanentError, tlsHint } from './errors.js'
import { RateLimitError, rateLimitStop, readRateLimit, type RateLimitInfo } from './ratelimit.js'
import { DOCKER_HUB, DOCKER_HUB_API, type ImageReference } from './reference.js'
import {
  backoffDelay,
  defaultRetry,
  retryableStatus,
  retryAfterMs,
  retryExhausted,
  sleep,
  type RetryOptions
} from './retry.js'

export const MANIFEST_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json'
} as const

const ACCEPT = Object.values(MANIFEST_TYPES).join(', ')
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const MAX_REDIRECTS = 5

/** Where requests for one registry go: a mirror or the origin. */
export interface Endpoint {
  /** The registry host the image names (docker.io, ghcr.io, ...). */
  registry: string
  /** API root, ending in /v2 */
  api: string
  mirror: boolean
}

/** An HTTP error answer; `retryable` tells the retry loops what to do. */
export class HttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    message: string,
    /** From Retry-After, when the server sent one. */
    readonly retryAfterMs?: number,
    /** The answer's rate-limit headers, when it sent any. */
    readonly rateLimit?: RateLimitInfo
  ) {
    super(message)
    this.name = 'HttpError'
  }
  get retryable(): boolean {
    return retryableStatus(this.status)
  }
}

export interface ClientOptions {
  credentials?: CredentialStore
  /** registry host -> mirror base URLs, tried in order before the origin. */
  mirrors?: Map<string, string[]>
  /** host[:port] allowed over plain HTTP. */
  insecure?: Iterable<string>
  /** Try the origin when every mirror failed (default true); false keeps a build on its mirrors. */
  fallbackToOrigin?: boolean
  logger?: Logger
  retry?: Partial<RetryOptions>
  /** Abort a request whose answer or body stalls this long. Default 60 s. */
  idleTimeoutMs?: number
}

/**
 * What a manifest's bytes were checked against: the digest it was asked for, the
 * registry's Docker-Content-Digest header (a tag), or nothing (a tag, and no header).
 */
export type ManifestCheck = 'digest' | 'docker-content-digest' | 'none'

/** What a HEAD of a manifest tells. */
export interface ManifestHead {
  endpoint: Endpoint
  url: string
  digest: string
  size: number
  mediaType: string
}

export interface FetchedManifest {
  endpoint: Endpoint
  url: string
  digest: string
  mediaType: string
  body: Buffer
  verifiedBy: ManifestCheck
}

/**
 * A URL without its userinfo (`https://user:pass@host/x` -> `https://host/x`), for anything
 * recorded or logged. Text that does not parse as a URL has any `//userinfo@` cut out.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (!parsed.username && !parsed.password) return url
    parsed.username = ''
    parsed.password = ''
    return parsed.href.replace(/\/$/, url.endsWith('/') ? '/' : '')
  } catch {
    return url.replace(/\/\/[^/@\s]*@/g, '//')
  }
}

/** Splits a URL's userinfo off: the URL without it, and the credential it held. */
export function splitUserinfo(url: string): { url: string; credential?: Credential } {
  const parsed = new URL(url)
  if (!parsed.username && !parsed.password) return { url }
  const credential = {
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password)
  }
  return { url: redactUrl(url), credential }
}

/**
 * Parses mirror settings: `docker.io=https://mirror.example` entries, newline- or
 * comma-separated. A mirror URL ending in /v2 is used as the API root as it is.
 */
export function parseMirrors(input: string | string[] | undefined): Map<string, string[]> {
  const mirrors = new Map<string, string[]>()
  const items = (Array.isArray(input) ? input : (input ?? '').split(/[\n,]/))
    .map(s => s.trim())
    .filter(s => s !== '' && !s.startsWith('#'))
  for (const item of items) {
    const eq = item.indexOf('=')
    const host = eq > 0 ? item.slice(0, eq).trim() : ''
    const url = eq > 0 ? item.slice(eq + 1).trim() : ''
    let parsed: URL | undefined
    try {
      parsed = new URL(url)
    } catch {
      parsed = undefined
    }
    if (!host || !parsed || !/^https?:$/.test(parsed.protocol)) {
      throw new Error(
        `mirror "${redactUrl(item)}" is not registry=URL, e.g. docker.io=https://mirror.example`
      )
    }
    const key = host === 'index.docker.io' ? DOCKER_HUB : host
    mirrors.set(key, [...(mirrors.get(key) ?? []), url.replace(/\/+$/, '')])
  }
  return mirrors
}

export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

export class RegistryClient {
  readonly credentials: CredentialStore
  private readonly mirrors: Map<string, string[]>
  private readonly insecure: Set<string>
  private readonly logger: Logger
  readonly retry: RetryOptions
  private readonly idleTimeoutMs: number
  private readonly fallbackToOrigin: boolean
  private readonly tokens = new Map<string, string>()
  private readonly limits = new Map<string, RateLimitInfo>()

  constructor(options: ClientOptions = {}) {
    this.credentials = options.credentials ?? new CredentialStore()
    this.mirrors = this.takeMirrorCredentials(options.mirrors ?? new Map<string, string[]>())
    this.insecure = new Set([...(options.insecure ?? [])].map(h => h.trim()).filter(Boolean))
    this.logger = options.logger ?? silentLogger
    this.retry = { ...defaultRetry, ...options.retry }
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60000
    this.fallbackToOrigin = options.fallbackToOrigin ?? true
  }

  /**
   * Mirror URLs with userinfo (`https://user:pass@mirror`): the credential goes to the
   * store for the mirror's host (unless one is set) and the URL is kept without it, so it
   * is never logged or recorded. Callers mask the secrets (`credentials.secrets()`).
   */
  private takeMirrorCredentials(mirrors: Map<string, string[]>): Map<string, string[]> {
    const clean = new Map<string, string[]>()
    for (const [registry, urls] of mirrors) {
      clean.set(
        registry,
        urls.map(raw => {
          const { url, credential } = splitUserinfo(raw)
          const host = new URL(url).host
          if (credential && !this.credentials.get(host)) this.credentials.set(host, credential)
          return url
        })
      )
    }
    return clean
  }

  private isInsecure(host: string): boolean {
    return this.insecure.has(host)
  }

  /** Mirrors first, then the origin. */
  endpoints(registry: string): Endpoint[] {
    const list: Endpoint[] = []
    for (const base of this.mirrors.get(registry) ?? []) {
      const url = new URL(base)
      if (url.protocol === 'http:' && !this.isInsecure(url.host)) {
        throw new Error(
          `mirror ${base} for ${registry} is plain HTTP; list ${url.host} in insecure-registries to allow it`
        )
      }
      list.push({ registry, api: base.endsWith('/v2') ? base : `${base}/v2`, mirror: true })
    }
    if (list.length > 0 && !this.fallbackToOrigin) return list
    const host = registry === DOCKER_HUB ? DOCKER_HUB_API : registry
    const scheme = this.isInsecure(registry) ? 'http' : 'https'
    list.push({ registry, api: `${scheme}://${host}/v2`, mirror: false })
    return list
  }

  /** Sends a request, following redirects by hand: Authorization stays with its origin. */
  private async send(
    url: string,
    headers: Record<string, string>,
    method = 'GET'
  ): Promise<HttpResponse> {
    let current = url
    let sendHeaders = { ...headers }
    const origin = new URL(url).origin
    for (let hop = 0; ; hop++) {
      const res = await request(current, {
        method,
        headers: sendHeaders,
        idleTimeoutMs: this.idleTimeoutMs
      })
      const location = header(res, 'location')
      if (res.status < 300 || res.status >= 400 || !location) return res
      discard(res)
      if (hop >= MAX_REDIRECTS)
        throw new HttpError(current, res.status, `too many redirects from ${url}`)
      const next = new URL(location, current)
      if (
        next.protocol === 'http:' &&
        new URL(current).protocol === 'https:' &&
        !this.isInsecure(next.host)
      ) {
        throw new HttpError(
          current,
          res.status,
          `refusing a redirect from HTTPS to plain HTTP ${next.href}`
        )
      }
      if (next.origin !== origin) {
        sendHeaders = Object.fromEntries(
          Object.entries(sendHeaders).filter(([name]) => name.toLowerCase() !== 'authorization')
        )
      }
      current = next.href
    }
  }

  private tokenKey(endpoint: Endpoint, repository: string): string {
    return `${endpoint.api}|${repository}`
  }

  private credentialFor(endpoint: Endpoint) {
    return this.credentials.get(endpoint.mirror ? new URL(endpoint.api).host : endpoint.registry)
  }

  /** The last rate-limit headers each host sent (Docker Hub's ratelimit-remaining). */
  rateLimits(): RateLimitInfo[] {
    return [...this.limits.values()]
  }

  private noteRateLimit(res: HttpResponse): void {
    const info = readRateLimit(new URL(res.url).host, res.headers)
    if (info && (info.limit !== undefined || info.remaining !== undefined)) {
      this.limits.set(info.host, info)
    }
  }

  /** Sends a request with whatever auth is known, answering one 401 challenge. */
  async request(
    endpoint: Endpoint,
    repository: string,
    path: string,
    headers: Record<string, string> = {},
    method = 'GET'
  ): Promise<HttpResponse> {
    const url = `${endpoint.api}/${repository}/${path}`
    const key = this.tokenKey(endpoint, repository)
    const withAuth = (): Record<string, string> => {
      const token = this.tokens.get(key)
      return token ? { ...headers, authorization: token } : headers
    }
    const first = await this.send(url, withAuth(), method)
    this.noteRateLimit(first)
    if (first.status !== 401) return first
    discard(first)
    const challengeHeader = header(first, 'www-authenticate')
    const challenge = parseChallenge(challengeHeader ?? null)
    const credential = this.credentialFor(endpoint)
    if (challenge?.scheme === 'bearer' && challenge.params.realm) {
      this.tokens.set(
        key,
        `Bearer ${await this.fetchToken(endpoint, repository, challenge.params)}`
      )
    } else if (challenge?.scheme === 'basic' && credential) {
      this.tokens.set(key, basicAuth(credential))
    } else {
      throw new HttpError(
        url,
        401,
        `${endpoint.registry} asks for credentials for ${repository} (${challengeHeader ?? 'no challenge'}); give username/password or registry-auth`
      )
    }
    const second = await this.send(url, withAuth(), method)
    this.noteRateLimit(second)
    if (second.status === 401 || second.status === 403) {
      discard(second)
      const hint = credential
        ? 'check the credentials'
        : 'the repository may be private: give username/password or registry-auth'
      throw new HttpError(
        url,
        second.status,
        `${endpoint.registry} denied access to ${repository} (HTTP ${second.status}); ${hint}`
      )
    }
    return second
  }

  private async fetchToken(
    endpoint: Endpoint,
    repository: string,
    params: Record<string, string>
  ): Promise<string> {
    const realm = new URL(params.realm ?? '')
    const endpointPlain = endpoint.api.startsWith('http:')
    if (realm.protocol === 'http:' && !endpointPlain && !this.isInsecure(realm.host)) {
      throw new Error(
        `token realm ${realm.href} of ${endpoint.registry} is plain HTTP; list ${realm.host} in insecure-registries to allow it`
      )
    }
    if (params.service) realm.searchParams.set('service', params.service)
    realm.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`)
    const credential = this.credentialFor(endpoint)
    const headers: Record<string, string> = credential
      ? { authorization: basicAuth(credential) }
      : {}
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.send(realm.href, headers)
        const body = await readBody(res, 1024 * 1024)
        if (res.status !== 200) {
          const text = body.toString('utf8').slice(0, 200)
          throw new HttpError(
            realm.href,
            res.status,
            `token request to ${realm.origin}${realm.pathname} failed: HTTP ${res.status} ${text}`
          )
        }
        let parsed: { token?: string; access_token?: string }
        try {
          parsed = JSON.parse(body.toString('utf8')) as typeof parsed
        } catch {
          throw new Error(`token response from ${realm.origin}${realm.pathname} is not JSON`)
        }
        const token = parsed.token ?? parsed.access_token
        if (!token)
          throw new Error(`token response from ${realm.origin}${realm.pathname} has no token`)
        return token
      } catch (err) {
        if (!this.shouldRetry(err) || attempt >= this.retry.attempts) throw err
        await sleep(backoffDelay(attempt, this.retry))
      }
    }
  }

  /** Network failures and retryable statuses; not auth, 404, a refused TLS certificate or a proxy refusing for good. */
  private shouldRetry(err: unknown): boolean {
    if (err instanceof HttpError) return err.retryable
    return isError(err) && !isPermanentError(err)
  }

  /**
   * Fetches a manifest (by tag or digest), trying mirrors first, retrying transient
   * failures. The body's digest is checked against a requested digest, and against the
   * registry's Docker-Content-Digest header when it sends one.
   */
  async getManifest(ref: ImageReference, reference: string): Promise<FetchedManifest> {
    const failures: string[] = []
    for (const endpoint of this.endpoints(ref.registry)) {
      try {
        const got = await this.withRetries(
          () => this.getManifestOnce(endpoint, ref, reference),
          `manifest ${reference} of ${ref.repository}`
        )
        if (failures.length > 0) {
          this.logger.info(`${ref.repository}:${reference}: served by ${endpoint.api}`)
        }
        return got
      } catch (err) {
        const description = describeError(err)
        const message = description + tlsHint(description, new URL(endpoint.api).host)
        if (err instanceof RateLimitError) throw err
        failures.push(`${endpoint.api}: ${message}`)
        if (endpoint.mirror) {
          this.logger.warn(
            `mirror ${endpoint.api} failed for ${ref.repository}:${reference} (${message}); trying the next source`
          )
        }
      }
    }
    throw new Error(
      `cannot fetch manifest ${reference} of ${ref.registry}/${ref.repository}: ${failures.join('; ')}`
    )
  }

  /**
   * Asks for a manifest's digest with HEAD (which Docker Hub does not count as a pull):
   * the first source that answers 200 gives its Docker-Content-Digest, size and type.
   * Undefined when none does; the caller then GETs, which reports errors properly.
   */
  async headManifest(ref: ImageReference, reference: string): Promise<ManifestHead | undefined> {
    for (const endpoint of this.endpoints(ref.registry)) {
      try {
        const res = await this.request(
          endpoint,
          ref.repository,
          `manifests/${reference}`,
          { accept: ACCEPT },
          'HEAD'
        )
        discard(res)
        if (res.status !== 200) continue
        const digest = header(res, 'docker-content-digest')
        const size = Number(header(res, 'content-length'))
        if (!digest?.startsWith('sha256:') || !Number.isSafeInteger(size)) return undefined
        const mediaType = (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? ''
        return { endpoint, url: res.url, digest, size, mediaType }
      } catch (err) {
        this.logger.debug(
          `HEAD ${reference} of ${ref.repository} at ${endpoint.api}: ${describeError(err)}`
        )
      }
    }
    return undefined
  }

  private async withRetries<T>(fn: () => Promise<T>, what: string): Promise<T> {
    let firstFailure = 0
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn()
      } catch (err) {
        firstFailure ||= Date.now()
        if (!this.shouldRetry(err)) throw err
        const tooLong = rateLimitStop(
          err instanceof HttpError ? err : undefined,
          what,
          this.retry.budgetMs,
          firstFailure
        )
        if (tooLong) throw tooLong
        const after = err instanceof HttpError ? err.retryAfterMs : undefined
        const delay = backoffDelay(attempt, this.retry, after)
        if (retryExhausted(this.retry, attempt, Date.now() + delay - firstFailure)) throw err
        await sleep(delay)
      }
    }
  }

  private async getManifestOnce(
    endpoint: Endpoint,
    ref: ImageReference,
    reference: string
  ): Promise<FetchedManifest> {
    const res = await this.request(endpoint, ref.repository, `manifests/${reference}`, {
      accept: ACCEPT
    })
    const url = res.url
    if (res.status !== 200) {
      const text = (await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0)))
        .toString('utf8')
        .slice(0, 300)
        .trim()
      const why = res.status === 404 ? 'not found' : `HTTP ${res.status}`
      throw new HttpError(
        url,
        res.status,
        `${why}${text ? `: ${text}` : ''}`,
        retryAfterMs(header(res, 'retry-after') ?? null),
        readRateLimit(new URL(url).host, res.headers)
      )
    }
    const body = await readBody(res, MAX_MANIFEST_BYTES)
    const digest = sha256Digest(body)
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new HttpError(
        url,
        502,
        `manifest digest mismatch: asked for ${reference}, got ${digest}`
      )
    }
    const announced = header(res, 'docker-content-digest')
    const checkable = announced?.startsWith('sha256:') === true
    if (checkable && announced !== digest) {
      throw new HttpError(
        url,
        502,
        `manifest digest mismatch: registry says ${announced}, body is ${digest}`
      )
    }
    const type = (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? ''
    let mediaType = type
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { mediaType?: string }
      if (parsed.mediaType) mediaType = parsed.mediaType
    } catch {
      throw new Error(`manifest at ${url} is not JSON`)
    }
    const verifiedBy: ManifestCheck = reference.startsWith('sha256:')
      ? 'digest'
      : checkable
        ? 'docker-content-digest'
        : 'none'
    return { endpoint, url, digest, mediaType, body, verifiedBy }
  }
}
