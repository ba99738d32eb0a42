/**
 * A loopback token server for a registry in token-auth mode, as Docker Hub's auth server
 * works: GET /token?service=...&scope=repository:NAME:pull answers a JWT (RS256, signed
 * with a throwaway key whose self-signed certificate the registry trusts via x5c).
 * Credentials (Basic) unlock the repositories listed as private; anonymous callers get
 * pull on the public ones and an empty grant on the private ones.
 */
import { createPrivateKey, createSign, randomBytes, X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { listenLoopback, removeDir, tempDir } from './proc.js'
import { makeServerCertificate, type ServerCertificate } from './tls.js'

export interface TokenServerOptions {
  users: Record<string, string>
  /** Repositories that need credentials. */
  privateRepositories?: string[]
  service?: string
  issuer?: string
  /** Serve HTTPS with this certificate (the realm is then https://). */
  tls?: ServerCertificate
}

export interface TokenServer {
  readonly realm: string
  readonly service: string
  readonly issuer: string
  readonly certPath: string
  readonly requests: Array<{ scope: string; user?: string; granted: string[] }>
  /** Issues a push+pull token for seeding. */
  issue(repository: string, actions: string[]): string
  stop(): Promise<void>
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url')

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const dir = await tempDir('token')
  // Its signing key and the certificate the registry trusts (x5c): a throwaway pair.
  const { keyPath, certPath } = await makeServerCertificate(dir)
  const key = createPrivateKey(await readFile(keyPath))
  const der = new X509Certificate(await readFile(certPath)).raw
  const service = options.service ?? 'kedge-test-registry'
  const issuer = options.issuer ?? 'kedge-test-issuer'
  const privateRepos = new Set(options.privateRepositories ?? [])
  const requests: TokenServer['requests'] = []

  const issue = (repository: string, actions: string[]): string => {
    const now = Math.floor(Date.now() / 1000)
    const header = { alg: 'RS256', typ: 'JWT', x5c: [der.toString('base64')] }
    const claims = {
      iss: issuer,
      sub: 'kedge-test',
      aud: service,
      exp: now + 600,
      nbf: now - 60,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access: actions.length ? [{ type: 'repository', name: repository, actions }] : []
    }
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
    const signature = createSign('RSA-SHA256').update(input).sign(key)
    return `${input}.${b64url(signature)}`
  }

  const loopback = await listenLoopback((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname !== '/token') {
      res.writeHead(404).end()
      return
    }
    const scope = url.searchParams.get('scope') ?? ''
    const repository = /^repository:([^:]+):/.exec(scope)?.[1] ?? ''
    let user: string | undefined
    const auth = req.headers.authorization ?? ''
    if (auth.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')
      if (name && options.users[name] === rest.join(':')) {
        user = name
      } else {
        requests.push({ scope, granted: [] })
        res.writeHead(401, { 'content-type': 'application/json' })
        res.end('{"details":"incorrect username or password"}')
        return
      }
    }
    const granted = privateRepos.has(repository) && !user ? [] : ['pull']
    requests.push({ scope, ...(user ? { user } : {}), granted })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ token: issue(repository, granted), expires_in: 600 }))
  }, options.tls)
  const port = loopback.port
  return {
    realm: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    requests,
    issue,
    async stop() {
      await loopback.close()
      await removeDir(dir)
    }
  }
}
