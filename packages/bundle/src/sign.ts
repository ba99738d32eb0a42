/**
 * Signs a bundle's SHA256SUMS at build time, as openssl does, so a site checks it with
 * the public key alone (install.js --trust-key, or openssl by hand):
 *   ECDSA P-256 key: DER signature over SHA-256 (openssl dgst -sha256 -sign)
 *   Ed25519 key:     raw 64-byte signature (openssl pkeyutl -sign -rawin)
 * The signature sits beside SHA256SUMS as SHA256SUMS.sig; SHA256SUMS lists every other
 * file, so the signature covers the whole bundle.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const SIGNATURE_FILE = 'SHA256SUMS.sig'

/** Reads a PEM private key (ECDSA P-256 or Ed25519); a clear error for anything else. */
export function signingKey(pem: string, source: string): KeyObject {
  let key: KeyObject
  try {
    key = createPrivateKey(pem)
  } catch (err) {
    throw new Error(
      `${source}: not a PEM private key (${(err as Error).message.split('\n')[0] ?? ''}); make one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out kedge-release.key.pem`,
      { cause: err }
    )
  }
  const type = key.asymmetricKeyType
  const curve = key.asymmetricKeyDetails?.namedCurve
  if (type !== 'ed25519' && !(type === 'ec' && curve === 'prime256v1'))
    throw new Error(
      `${source}: a ${type ?? 'unknown'}${curve ? ` (${curve})` : ''} key; kedge signs with ECDSA P-256 or Ed25519 only`
    )
  return key
}

/** Signs <root>/SHA256SUMS into <root>/SHA256SUMS.sig. */
export async function signSums(root: string, key: KeyObject): Promise<void> {
  const data = await readFile(join(root, 'SHA256SUMS'))
  const signature = sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, key)
  await writeFile(join(root, SIGNATURE_FILE), signature)
}
