/**
 * Which HTTP proxy a registry request goes through, from the environment, as docker,
 * containerd and skopeo read it (Go's httpproxy rules): `https_proxy`/`HTTPS_PROXY` for
 * https URLs, `http_proxy`/`HTTP_PROXY` for http ones, the lower-case name first, and
 * `no_proxy`/`NO_PROXY` for the hosts that go direct. Loopback never goes through a proxy.
 */
import { BlockList, isIP } from 'node:net'
import { ProxyRefusal, ProxySettingError } from './errors.js'

export type ProxyEnv = Record<string, string | undefined>

/** The proxy for `url` (an http:// URL, maybe with user:password), or undefined for direct. */
export function proxyFor(url: URL, env: ProxyEnv = process.env): URL | undefined {
  const names =
    url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY']
  const name = names.find(n => env[n]?.trim())
  const setting = name ? (env[name] ?? '').trim() : ''
  if (!name || !setting) return undefined
  const { host: literal, port } = endpoint(url)
  const host = literal.toLowerCase()
  if (isLoopback(host) || bypassed(host, String(port), env.no_proxy ?? env.NO_PROXY ?? '')) {
    return undefined
  }
  return parseProxy(name, setting)
}

/** `user:password@` of a proxy URL as a Proxy-Authorization value, or undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined
  const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
  return `Basic ${Buffer.from(pair).toString('base64')}`
}

/** The proxy as it may be shown in logs and errors: no user or password. */
export function proxyLabel(proxy: URL): string {
  return `http://${proxy.host}`
}

/** A URL's host (brackets off an IPv6 literal) and port (the scheme's when none is given). */
export function endpoint(url: URL): { host: string; port: number } {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port }
}

/**
 * A proxy setting as a URL; "proxy.example:3128" without a scheme means http://, as curl
 * and Go take it. Throws (TypeError) when it does not parse.
 */
export function proxyUrl(setting: string): URL {
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(setting) ? setting : `http://${setting}`)
}

/** What a proxy's refusal of `what` (CONNECT host:port, or GET url) means, and what to do. */
export function refusal(proxy: URL, what: string, status: number, statusLine: string) {
  const answer = statusLine.trim() || 'no status line'
  let advice = 'retry later, or ask the proxy admin'
  if (status === 407) {
    advice = proxy.username
      ? 'it refused the user and password in the proxy URL: check them'
      : 'it wants credentials: set the proxy URL to http://user:password@host:port'
  } else if (status === 403) {
    advice = `it does not allow this: ask the proxy admin, or list the host in NO_PROXY if it is reached directly`
  }
  return new ProxyRefusal(
    `proxy ${proxyLabel(proxy)} refused ${what} (${answer}): ${advice}`,
    status
  )
}

function parseProxy(name: string, setting: string): URL {
  let proxy: URL
  try {
    proxy = proxyUrl(setting)
  } catch {
    throw new ProxySettingError(
      `${name} is not a proxy URL: use http://host:port (or http://user:password@host:port)`
    )
  }
  try {
    decodeURIComponent(proxy.username + proxy.password)
  } catch {
    throw new ProxySettingError(
      `${name}: the user or password is not percent-encoded: write a % in them as %25`
    )
  }
  if (proxy.protocol !== 'http:') {
    throw new ProxySettingError(
      `${name}: ${proxy.protocol}// proxies are not supported; use an http:// proxy (HTTPS to the registry is tunnelled through it with CONNECT)`
    )
  }
  return proxy
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1'
}

/**
 * NO_PROXY: comma- or space-separated entries. `*` matches every host; an IP or a CIDR
 * block matches addresses; a name matches itself and its subdomains (a leading dot or
 * `*.` too); an entry with `:port` matches that port only.
 */
function bypassed(host: string, port: string, noProxy: string): boolean {
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase()
    if (!entry) continue
    if (entry === '*') return true
    if (entry.includes('/')) {
      if (inBlock(host, entry)) return true
      continue
    }
    const [name, entryPort] = splitPort(entry)
    if (entryPort && entryPort !== port) continue
    const bare = name.replace(/^\*?\./, '')
    if (host === bare || host.endsWith(`.${bare}`)) return true
  }
  return false
}

function splitPort(entry: string): [string, string | undefined] {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
  if (bracketed) return [bracketed[1] ?? '', bracketed[2]]
  if (isIP(entry) === 6) return [entry, undefined]
  const m = /^(.*):(\d+)$/.exec(entry)
  return m ? [m[1] ?? '', m[2]] : [entry, undefined]
}

function inBlock(host: string, cidr: string): boolean {
  const family = isIP(host)
  const [network = '', bits = ''] = cidr.split('/')
  if (!family || isIP(network) !== family || !/^\d+$/.test(bits)) return false
  const list = new BlockList()
  try {
    list.addSubnet(network, Number(bits), family === 4 ? 'ipv4' : 'ipv6')
  } catch {
    return false
  }
  return list.check(host, family === 4 ? 'ipv4' : 'ipv6')
}
