/** proxy.ts: which proxy a registry URL goes through, from the environment given. */
import { describe, expect, test } from '@jest/globals'
import { proxyAuthorization, proxyFor, proxyLabel, ProxySettingError } from '@kedge/oci'

const hub = new URL('https://registry-1.docker.io/v2/')
const mirror = new URL('http://mirror.plant.example:5000/v2/')
const via = (url: URL, env: Record<string, string>) => proxyFor(url, env)?.href

describe('proxyFor', () => {
  test('https URLs take HTTPS_PROXY, http URLs HTTP_PROXY; the lower-case name wins', () => {
    const env = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128' }
    expect(via(hub, env)).toBe('http://lower:3128/')
    expect(via(mirror, env)).toBeUndefined()
    expect(via(mirror, { HTTP_PROXY: 'http://plain:8080' })).toBe('http://plain:8080/')
    expect(via(hub, { HTTP_PROXY: 'http://plain:8080' })).toBeUndefined()
    expect(via(hub, {})).toBeUndefined()
    expect(via(hub, { HTTPS_PROXY: '  ' })).toBeUndefined()
  })

  test('a proxy without a scheme is http://', () => {
    expect(via(hub, { HTTPS_PROXY: 'proxy.corp:3128' })).toBe('http://proxy.corp:3128/')
  })

  test('loopback never goes through a proxy', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:3128' }
    for (const url of [
      'https://127.0.0.1:5000/v2/',
      'http://localhost:5000/',
      'https://[::1]:443/'
    ]) {
      expect(via(new URL(url), env)).toBeUndefined()
    }
    expect(via(new URL('https://10.0.0.5/v2/'), env)).toBe('http://proxy:3128/')
  })

  test.each([
    ['registry-1.docker.io', true],
    ['docker.io', true],
    ['.docker.io', true],
    ['*.docker.io', true],
    ['io', true],
    ['ocker.io', false],
    ['registry-1.docker.io:443', true],
    ['registry-1.docker.io:5000', false],
    ['*', true],
    ['quay.io, docker.io', true],
    ['quay.io ghcr.io', false]
  ])('NO_PROXY=%s bypasses registry-1.docker.io: %s', (noProxy, bypassed) => {
    const proxy = via(hub, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: noProxy })
    expect(proxy === undefined).toBe(bypassed)
  })

  test('NO_PROXY takes addresses and CIDR blocks; no_proxy wins over NO_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128' }
    const ip = new URL('https://10.1.2.3:5000/v2/')
    expect(via(ip, { ...env, NO_PROXY: '10.0.0.0/8' })).toBeUndefined()
    expect(via(ip, { ...env, NO_PROXY: '10.1.2.3' })).toBeUndefined()
    expect(via(ip, { ...env, NO_PROXY: '192.168.0.0/16,10.1.2.4' })).toBe('http://proxy:3128/')
    expect(via(ip, { ...env, NO_PROXY: 'nonsense/99' })).toBe('http://proxy:3128/')
    expect(via(ip, { ...env, no_proxy: 'example.com', NO_PROXY: '*' })).toBe('http://proxy:3128/')
  })

  test('an unusable proxy setting fails clearly, naming the variable', () => {
    expect(() => proxyFor(hub, { HTTPS_PROXY: 'https://proxy:3128' })).toThrow(ProxySettingError)
    expect(() => proxyFor(hub, { HTTPS_PROXY: 'socks5://proxy:1080' })).toThrow(
      'HTTPS_PROXY: socks5:// proxies are not supported; use an http:// proxy (HTTPS to the registry is tunnelled through it with CONNECT)'
    )
    expect(() => proxyFor(hub, { HTTPS_PROXY: 'http://u:50%off@proxy:3128' })).toThrow(
      'HTTPS_PROXY: the user or password is not percent-encoded: write a % in them as %25'
    )
    expect(() => proxyFor(hub, { https_proxy: 'http://[bad' })).toThrow(
      'https_proxy is not a proxy URL: use http://host:port (or http://user:password@host:port)'
    )
  })

  test('credentials become Proxy-Authorization and never show in the label', () => {
    const proxy = proxyFor(hub, { HTTPS_PROXY: 'http://builder:p%40ss@proxy:3128' })
    if (!proxy) throw new Error('no proxy')
    expect(proxyAuthorization(proxy)).toBe(
      `Basic ${Buffer.from('builder:p@ss').toString('base64')}`
    )
    expect(proxyLabel(proxy)).toBe('http://proxy:3128')
    expect(proxyAuthorization(new URL('http://proxy:3128'))).toBeUndefined()
  })
})
