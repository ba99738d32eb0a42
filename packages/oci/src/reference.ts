/**
 * Image references, parsed and normalized as Docker does:
 *   eclipse-mosquitto:2.0 -> docker.io/library/eclipse-mosquitto:2.0
 * A first path component holding '.' or ':', equal to 'localhost', or with upper-case
 * letters names the registry; otherwise the registry is docker.io, and a single-component
 * name there gets 'library/'. No tag and no digest means ':latest'.
 */

export const DOCKER_HUB = 'docker.io'
/** The API host behind docker.io. */
export const DOCKER_HUB_API = 'registry-1.docker.io'

export interface ImageReference {
  /** Registry host, with port when given: docker.io, ghcr.io, 127.0.0.1:5000. */
  registry: string
  /** Repository path: library/eclipse-mosquitto, kubeedge/cloudcore. */
  repository: string
  tag?: string
  /** sha256:<64 hex> */
  digest?: string
}

export class ReferenceError extends Error {
  constructor(
    readonly reference: string,
    reason: string
  ) {
    super(`invalid image reference "${reference}": ${reason}`)
    this.name = 'ReferenceError'
  }
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const DOMAIN =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^sha256:[a-f0-9]{64}$/

export function parseReference(input: string): ImageReference {
  const ref = input.trim()
  if (ref === '') throw new ReferenceError(input, 'it is empty')
  if (/\s/.test(ref)) throw new ReferenceError(input, 'it contains white space')
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
    throw new ReferenceError(input, 'give a reference, not a URL (drop the scheme)')
  }

  let rest = ref
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) {
      throw new ReferenceError(input, `digest "${digest}" is not sha256:<64 lower-case hex digits>`)
    }
  }

  let tag: string | undefined
  const lastSlash = rest.lastIndexOf('/')
  const colon = rest.lastIndexOf(':')
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) {
      throw new ReferenceError(
        input,
        `tag "${tag}" is not valid (letters, digits, _ . -; at most 128)`
      )
    }
  }

  let registry = DOCKER_HUB
  let path = rest
  const slash = rest.indexOf('/')
  if (slash >= 0) {
    const first = rest.slice(0, slash)
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      registry = first
      path = rest.slice(slash + 1)
      if (!DOMAIN.test(registry)) {
        throw new ReferenceError(input, `registry "${registry}" is not a valid host[:port]`)
      }
      const port = registry.includes(':') ? Number(registry.slice(registry.indexOf(':') + 1)) : 1
      if (port < 1 || port > 65535) {
        throw new ReferenceError(
          input,
          `registry "${registry}" has port ${port}; a port is a number from 1 to 65535`
        )
      }
    }
  }
  if (registry === 'index.docker.io') registry = DOCKER_HUB
  if (path === '') throw new ReferenceError(input, 'the repository name is missing')
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`
  for (const component of path.split('/')) {
    if (!COMPONENT.test(component)) {
      const why =
        component.toLowerCase() !== component
          ? 'repository names must be lower-case'
          : 'use lower-case letters, digits and separators . _ __ -'
      throw new ReferenceError(input, `path component "${component}" is not valid: ${why}`)
    }
  }
  if (`${registry}/${path}`.length > 255) {
    throw new ReferenceError(input, 'the name is longer than 255 characters')
  }
  if (tag === undefined && digest === undefined) tag = 'latest'
  return { registry, repository: path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }
}

/** registry/repository, without tag or digest. */
export function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`
}

/** The full normalized reference: registry/repository[:tag][@digest]. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`
}

/** The manifest reference to ask the registry for: the digest when pinned, else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest'
}

/**
 * A file name for a per-image archive, as the operator docs name them:
 * docker.io/kubeedge/cloudcore:v1.22.0 -> docker.io-kubeedge-cloudcore-v1.22.0.tar
 */
export function archiveFileName(ref: ImageReference): string {
  const version = ref.tag ?? ref.digest?.replace(':', '-') ?? 'latest'
  return `${ref.registry}/${ref.repository}-${version}.tar`.replace(/[/:@]/g, '-')
}
