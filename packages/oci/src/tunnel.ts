/**
 * A CONNECT tunnel through an HTTP proxy (RFC 9110 §9.3.6): the socket to the proxy,
 * once it answered 200, carries TLS to the registry end to end. The proxy sees only the
 * host and port.
 */
import { connect, type Socket } from 'node:net'
import { endpoint, proxyAuthorization, proxyLabel, refusal } from './proxy.js'

const MAX_HEAD = 64 * 1024

/** Opens a tunnel to `target` (host:port) through `proxy`; the socket comes back paused. */
export function openTunnel(proxy: URL, target: string, idleTimeoutMs: number): Promise<Socket> {
  const label = proxyLabel(proxy)
  return new Promise((resolve, reject) => {
    const socket = connect(endpoint(proxy))
    let head = Buffer.alloc(0)
    const done = (err?: Error) => {
      socket.removeAllListeners('data')
      socket.removeAllListeners('end')
      socket.removeAllListeners('timeout')
      socket.setTimeout(0)
      if (err) {
        socket.destroy()
        reject(err)
      }
    }
    socket.on('error', err => {
      // The cause's text is in the message already (describeError would repeat it).
      const code = (err as { code?: string }).code
      const detail = code && !err.message.includes(code) ? `${err.message} (${code})` : err.message
      done(new Error(`proxy ${label}, for CONNECT ${target}: ${detail}`))
    })
    socket.on('end', () => {
      done(new Error(`proxy ${label} closed the connection before answering CONNECT ${target}`))
    })
    socket.setTimeout(idleTimeoutMs, () => {
      done(new Error(`proxy ${label}: no answer to CONNECT ${target} in ${idleTimeoutMs} ms`))
    })
    socket.on('data', (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) {
        if (head.length > MAX_HEAD) done(new Error(`proxy ${label}: answer head over 64 KiB`))
        return
      }
      const statusLine = head.toString('latin1', 0, head.indexOf('\r\n'))
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0)
      if (status !== 200) {
        done(refusal(proxy, `CONNECT ${target}`, status, statusLine))
        return
      }
      // TLS speaks first, so nothing may follow the 200 yet; tls.connect would not see it
      // anyway (it reads the socket's handle, not what node buffered).
      if (head.length > end + 4) {
        done(new Error(`proxy ${label} sent data after its 200 to CONNECT ${target}`))
        return
      }
      socket.pause()
      done()
      resolve(socket)
    })
    const auth = proxyAuthorization(proxy)
    socket.write(
      `CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n` +
        (auth ? `proxy-authorization: ${auth}\r\n` : '') +
        '\r\n'
    )
  })
}
