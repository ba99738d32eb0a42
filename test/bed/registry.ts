/**
 * A real CNCF distribution registry (Debian's `docker-registry`) on 127.0.0.1, with its
 * storage in a temporary directory. Plain HTTP (clients must treat it as insecure), or
 * HTTPS with the certificate given (`tls`).
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort, removeDir, startDaemon, tempDir, waitFor } from './proc.js'
import { fetchTrusting, type BedFetch, type ServerCertificate } from './tls.js'

export interface Registry {
  /** host:port, as it appears in image references. */
  readonly host: string
  /** http://host:port, or https://host:port with `tls` */
  readonly url: string
  /** A fetch that reaches it: node's own, or with `tls` one that trusts its certificate. */
  readonly fetch: BedFetch
  readonly dir: string
  /** Where the registry keeps its data. */
  readonly storage: string
  stop(): Promise<void>
}

export interface RegistryOptions {
  /** Storage to serve (kept on stop); default: a fresh temporary directory. */
  storage?: string
  /** Token auth, as Docker Hub does it (see tokenserver.ts). */
  tokenAuth?: { realm: string; service: string; issuer: string; certPath: string }
  /** Serve HTTPS with this certificate and key (http.tls in the registry's config). */
  tls?: ServerCertificate
}

export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const dir = await tempDir('registry')
  const storage = options.storage ?? join(dir, 'data')
  const auth = options.tokenAuth
    ? [
        'auth:',
        '  token:',
        `    realm: ${options.tokenAuth.realm}`,
        `    service: ${options.tokenAuth.service}`,
        `    issuer: ${options.tokenAuth.issuer}`,
        `    rootcertbundle: ${options.tokenAuth.certPath}`
      ]
    : []
  const tls = options.tls
    ? ['  tls:', `    certificate: ${options.tls.certPath}`, `    key: ${options.tls.keyPath}`]
    : []
  const get: BedFetch = options.tls ? await fetchTrusting(options.tls.certPath) : fetch
  // A port can be taken between freePort() and the bind; try a few.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const config = join(dir, 'config.yml')
    await writeFile(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${storage}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        ...tls,
        ...auth,
        ''
      ].join('\n')
    )
    const daemon = startDaemon('docker-registry', ['serve', config], join(dir, 'registry.log'))
    const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`
    const state = { exitedEarly: false }
    void daemon.exited.then(() => (state.exitedEarly = true))
    try {
      await waitFor(`docker-registry on ${url}`, async () => {
        if (state.exitedEarly) throw new Error(`docker-registry exited; see ${daemon.logFile}`)
        const res = await get(`${url}/v2/`)
        return res.status === 200 || (options.tokenAuth !== undefined && res.status === 401)
      })
    } catch (err) {
      await daemon.stop()
      if (attempt < 3 && state.exitedEarly) continue
      await removeDir(dir)
      throw err
    }
    return {
      host: `127.0.0.1:${port}`,
      url,
      fetch: get,
      dir,
      storage,
      stop: async () => {
        await daemon.stop()
        await removeDir(dir)
      }
    }
  }
}
