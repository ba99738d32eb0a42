/**
 * TLS for the test bed: a throwaway self-signed certificate for 127.0.0.1 (made with
 * openssl; tokenserver.ts signs its tokens with one too), and a fetch that trusts it, so the bed can
 * seed and probe an HTTPS registry as a real client does (the certificate verified, not
 * skipped). Node's own fetch cannot take a CA per call, and NODE_EXTRA_CA_CERTS is read
 * only when a process starts; this fetch runs on node:https with `ca` instead.
 */
import { request as httpsRequest } from 'node:https'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from './proc.js'

export interface ServerCertificate {
  /** PEM certificate (its own CA: self-signed). */
  certPath: string
  /** PEM private key, unencrypted. */
  keyPath: string
}

/**
 * A self-signed certificate for CN=127.0.0.1 with SAN IP:127.0.0.1 (and DNS:<name> for each
 * of `names`: a host only a proxy resolves), valid one day, in `dir`.
 */
export async function makeServerCertificate(
  dir: string,
  names: string[] = []
): Promise<ServerCertificate> {
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    ['subjectAltName=IP:127.0.0.1', ...names.map(n => `DNS:${n}`)].join(','),
    '-keyout',
    keyPath,
    '-out',
    certPath
  ])
  return { certPath, keyPath }
}

/** The part of fetch the bed uses (seeding, readiness probes). */
export type BedFetch = (
  url: string | URL,
  init?: { method?: string; headers?: Record<string, string>; body?: Buffer }
) => Promise<Response>

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 204, 205, 304])

/** A fetch over node:https that trusts `caPath` (and nothing else). */
export async function fetchTrusting(caPath: string): Promise<BedFetch> {
  const ca = await readFile(caPath)
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(
        new URL(url),
        { method: init.method ?? 'GET', headers: init.headers ?? {}, ca, agent: false },
        res => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', reject)
          res.on('end', () => {
            const headers = new Headers()
            for (const [name, value] of Object.entries(res.headers)) {
              for (const v of [value ?? []].flat()) headers.append(name, v)
            }
            const status = res.statusCode ?? 0
            const body = Buffer.concat(chunks)
            resolve(
              new Response(NULL_BODY.has(status) || body.length === 0 ? null : body, {
                status,
                headers
              })
            )
          })
        }
      )
      req.on('error', reject)
      req.end(init.body)
    })
}
