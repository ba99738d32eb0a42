/**
 * The registry client's HTTP/1.1 transport (wire.ts) against real servers on loopback:
 * node's own HTTP and HTTPS servers, and raw TCP servers for answers node's server never
 * sends (close-delimited bodies, 1xx, truncation). Bodies are read through one reused buffer
 * per connection, so every test checks the bytes that arrive, not only their count.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { readFileSync } from 'node:fs'
import { createServer as createNetServer, type Socket } from 'node:net'
import {
  closeIdleConnections,
  parseReference,
  readBody,
  RegistryClient,
  request,
  type HttpResponse
} from '@kedge/oci'
import * as bed from '../bed/index.js'

const MiB = 1024 * 1024
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const big = randomBytes(20 * MiB + 777)

/** Reads a body slowly (a turn of the event loop per view), keeping a hash and a copy. */
async function slowRead(res: HttpResponse): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const view of res.body) {
    parts.push(Buffer.from(view))
    await new Promise(resolve => setImmediate(resolve))
  }
  return Buffer.concat(parts)
}

interface Served {
  url: string
  connections: number
  close(): Promise<void>
}

/** A server (http, https or raw net) on 127.0.0.1 that counts its connections. */
async function serve(server: Server | ReturnType<typeof createNetServer>, scheme = 'http') {
  const sockets = new Set<Socket>()
  const served: Served = {
    url: '',
    connections: 0,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise(resolve => server.close(resolve))
    }
  }
  const event = scheme === 'https' ? 'secureConnection' : 'connection'
  server.on(event, (s: Socket) => {
    served.connections += 1
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  served.url = `${scheme}://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return served
}

/** A raw TCP server that answers every request with `answer` bytes, then maybe closes. */
function rawServer(answer: Buffer | string, close: boolean) {
  return createNetServer(socket => {
    socket.once('data', () => {
      socket.write(answer)
      if (close) socket.end()
    })
  })
}

const opts = { idleTimeoutMs: 5000 }
const open: Served[] = []
afterEach(async () => {
  closeIdleConnections()
  for (const s of open.splice(0)) await s.close()
})

describe('wire.ts: HTTP/1.1 on real loopback servers', () => {
  test('a Content-Length body arrives intact through the reused buffer, and the connection is kept', async () => {
    const s = await serve(
      createHttpServer((req, res) => {
        res.setHeader('content-length', big.length)
        res.end(big)
      })
    )
    open.push(s)
    for (let i = 0; i < 3; i++) {
      const res = await request(`${s.url}/blob`, opts)
      expect(res.status).toBe(200)
      expect(sha(await slowRead(res))).toBe(sha(big))
    }
    expect(s.connections).toBe(1)
  })

  test('a chunked body with extensions and trailers arrives intact, and the connection is kept', async () => {
    const s = await serve(
      createHttpServer((req, res) => {
        res.setHeader('trailer', 'x-check')
        for (let at = 0; at < big.length; at += 3 * MiB + 5)
          res.write(big.subarray(at, at + 3 * MiB + 5))
        res.addTrailers({ 'x-check': 'done' })
        res.end()
      })
    )
    open.push(s)
    expect(sha(await slowRead(await request(`${s.url}/a`, opts)))).toBe(sha(big))
    const raw = Buffer.from('3;ext=1\r\nabc\r\n0\r\nx-t: 1\r\n\r\n')
    const r = await serve(
      rawServer(
        Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'), raw]),
        false
      )
    )
    open.push(r)
    expect((await readBody(await request(`${r.url}/b`, opts), 100)).toString()).toBe('abc')
    expect((await readBody(await request(`${s.url}/c`, opts), 100 * MiB)).length).toBe(big.length)
    expect(s.connections).toBe(1)
  })

  test('a body that runs to the close, and a 103 Early Hints answer before the real one', async () => {
    const closeDelimited = await serve(rawServer('HTTP/1.1 200 OK\r\n\r\nuntil the end', true))
    const hints = await serve(
      rawServer(
        'HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok',
        false
      )
    )
    open.push(closeDelimited, hints)
    expect((await readBody(await request(closeDelimited.url, opts), 100)).toString()).toBe(
      'until the end'
    )
    const res = await request(hints.url, opts)
    expect(res.status).toBe(200)
    expect((await readBody(res, 100)).toString()).toBe('ok')
  })

  test('a body cut short fails the read, naming how much arrived', async () => {
    const s = await serve(
      rawServer('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly this', true)
    )
    open.push(s)
    const res = await request(s.url, opts)
    await expect(readBody(res, 1000)).rejects.toThrow(/closed with 91 of 100 body bytes unread/)
  })

  test('HEAD answers carry no body, and the connection goes on', async () => {
    const s = await serve(
      createHttpServer((req, res) => {
        res.setHeader('content-length', 5)
        res.setHeader('docker-content-digest', 'sha256:abc')
        res.end(req.method === 'HEAD' ? undefined : 'hello')
      })
    )
    open.push(s)
    const head = await request(s.url, { ...opts, method: 'HEAD' })
    expect(head.headers['docker-content-digest']).toBe('sha256:abc')
    expect((await readBody(await request(s.url, opts), 10)).toString()).toBe('hello')
    expect(s.connections).toBe(1)
  })

  /** A raw server answering "ok" with keep-alive; `drop(n)` says what to do at request n of a socket. */
  const keepAliveServer = (drop: (n: number, socket: Socket) => boolean) =>
    createNetServer(socket => {
      let n = 0
      socket.on('data', () => {
        n += 1
        if (!drop(n, socket)) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
      })
    })

  test('a kept connection the server closed while idle is replaced', async () => {
    const s = await serve(
      keepAliveServer((n, socket) => {
        setTimeout(() => socket.end(), 30)
        return false
      })
    )
    open.push(s)
    expect((await readBody(await request(s.url, opts), 10)).toString()).toBe('ok')
    await new Promise(resolve => setTimeout(resolve, 200))
    expect((await readBody(await request(s.url, opts), 10)).toString()).toBe('ok')
    expect(s.connections).toBe(2)
  })

  test('a kept connection the server drops as the request arrives is retried once on a new one', async () => {
    const s = await serve(
      keepAliveServer((n, socket) => {
        if (n < 2) return false
        socket.destroy()
        return true
      })
    )
    open.push(s)
    for (let i = 0; i < 3; i++) {
      expect((await readBody(await request(s.url, opts), 10)).toString()).toBe('ok')
    }
    expect(s.connections).toBe(3)
  })

  test('a silent server fails the request after the idle timeout, naming the host', async () => {
    const s = await serve(createNetServer(() => undefined))
    open.push(s)
    await expect(request(s.url, { idleTimeoutMs: 200 })).rejects.toThrow(
      /no data from 127\.0\.0\.1:\d+ for 200 ms/
    )
  })

  test('a refused connection fails with its code; a header with a line break is not sent', async () => {
    const s = await serve(createNetServer(() => undefined))
    const url = s.url
    await s.close()
    await expect(request(url, opts)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    await expect(request(url, { ...opts, headers: { 'x-a': 'b\r\nhost: evil' } })).rejects.toThrow(
      /refusing to send header "x-a"/
    )
  })

  test('a body left part way closes its connection; a discarded small one keeps it', async () => {
    const s = await serve(
      createHttpServer((req, res) => {
        const body = req.url === '/small' ? Buffer.from('redirect body') : big
        res.setHeader('content-length', body.length)
        res.end(body)
      })
    )
    open.push(s)
    const left = await request(`${s.url}/big`, opts)
    for await (const view of left.body) {
      expect(view.length).toBeGreaterThan(0)
      break
    }
    const small = await request(`${s.url}/small`, opts)
    small.body.discard()
    await new Promise(resolve => setTimeout(resolve, 50))
    expect((await readBody(await request(`${s.url}/small`, opts), 100)).toString()).toBe(
      'redirect body'
    )
    expect(s.connections).toBe(2)
  })

  describe('over TLS', () => {
    let dir: string
    let cert: Buffer
    let key: Buffer
    beforeAll(async () => {
      dir = await bed.tempDir('wire-tls')
      const made = await bed.makeServerCertificate(dir)
      cert = readFileSync(made.certPath)
      key = readFileSync(made.keyPath)
    })
    afterAll(async () => {
      await bed.removeDir(dir)
    })

    test('a body arrives intact over HTTPS with the CA given, and the connection is kept', async () => {
      const s = await serve(
        createHttpsServer({ key, cert }, (req, res) => {
          res.setHeader('content-length', big.length)
          res.end(big)
        }),
        'https'
      )
      open.push(s)
      for (let i = 0; i < 2; i++) {
        expect(sha(await slowRead(await request(`${s.url}/blob`, { ...opts, ca: cert })))).toBe(
          sha(big)
        )
      }
      expect(s.connections).toBe(1)
    })

    test('a connection verified against a given CA is not reused by a request without it', async () => {
      const s = await serve(
        createHttpsServer({ key, cert }, (req, res) => res.end('ok')),
        'https'
      )
      open.push(s)
      const trusting = { ...opts, ca: cert }
      expect((await readBody(await request(s.url, trusting), 10)).toString()).toBe('ok')
      // Node's own CAs do not vouch for it: this must not ride on the kept connection.
      await expect(request(s.url, opts)).rejects.toMatchObject({
        code: 'DEPTH_ZERO_SELF_SIGNED_CERT'
      })
      expect((await readBody(await request(s.url, trusting), 10)).toString()).toBe('ok')
      expect(s.connections).toBe(1)
    })

    test('a certificate nobody vouches for is refused', async () => {
      const s = await serve(
        createHttpsServer({ key, cert }, (req, res) => res.end('no')),
        'https'
      )
      open.push(s)
      await expect(request(s.url, opts)).rejects.toMatchObject({
        code: 'DEPTH_ZERO_SELF_SIGNED_CERT'
      })
    })

    test('a refused certificate names the host and NODE_EXTRA_CA_CERTS, and is not retried', async () => {
      const server = createHttpsServer({ key, cert }, (req, res) => res.end('no'))
      let tcp = 0
      server.on('connection', () => (tcp += 1))
      const s = await serve(server, 'https')
      open.push(s)
      const host = new URL(s.url).host
      await expect(request(`${s.url}/v2/`, opts)).rejects.toMatchObject({
        name: 'CertificateError',
        host,
        code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        message: expect.stringContaining(`the TLS certificate of ${host} is not trusted`)
      })
      const client = new RegistryClient({ retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 2 } })
      const before = tcp
      await expect(client.getManifest(parseReference(`${host}/x/y:1`), '1')).rejects.toThrow(
        `cannot fetch manifest 1 of ${host}/x/y: ${s.url}/v2: the TLS certificate of ${host} is not trusted (self-signed certificate, DEPTH_ZERO_SELF_SIGNED_CERT)`
      )
      expect(tcp - before).toBe(1)
    })
  })
})
