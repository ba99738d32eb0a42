/**
 * Strict patterns for the values of meta/bundle.json that reach a shell, TOML or YAML
 * (image names, versions, the bundle name). Checked at install time whatever the
 * signature says: `versions.node: v24.11.0$(…)` or a `sandboxImage` holding a quote and a
 * newline must never reach install.sh, config.toml or the EdgeMesh values.
 */

/** v1.22.0, 1.7.29, v1.34.2+k3s1, v1.0.0-rc.1 */
export const VERSION = /^v?\d{1,4}\.\d{1,4}\.\d{1,4}(?:[-+][A-Za-z0-9][A-Za-z0-9.+-]{0,63})?$/

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const HOST =
  '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\\d{1,5})?'
/** An image reference as Docker writes it: [host[:port]/]path[:tag][@sha256:…]. */
export const IMAGE = new RegExp(
  `^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`
)
export const DIGEST = /^sha256:[a-f0-9]{64}$/
export const BUNDLE_NAME = /^kubeedge-(?:cloud|edge)-[A-Za-z0-9.+_-]{1,200}$/

type Check = (value: unknown) => boolean
const matches =
  (re: RegExp): Check =>
  v =>
    typeof v === 'string' && v.length <= 512 && re.test(v)
const bool: Check = v => typeof v === 'boolean'
const oneOf =
  (...values: string[]): Check =>
  v =>
    typeof v === 'string' && values.includes(v)

const get = (doc: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (node, key) =>
        typeof node === 'object' && node !== null
          ? (node as Record<string, unknown>)[key]
          : undefined,
      doc
    )

const FIELDS: Array<[string, Check, string]> = [
  ['name', matches(BUNDLE_NAME), 'kubeedge-<side>-<version>...'],
  ['side', oneOf('cloud', 'edge'), 'cloud or edge'],
  ['arch', oneOf('amd64', 'arm64'), 'amd64 or arm64'],
  ...['kubeedge', 'edgemesh', 'k3s', 'containerd', 'node'].map((k): [string, Check, string] => [
    `versions.${k}`,
    matches(VERSION),
    'a version like v1.22.0'
  ]),
  ['mosquitto.enabled', bool, 'true or false'],
  ['mosquitto.image', matches(IMAGE), 'an image reference'],
  ['edgemesh.enabled', bool, 'true or false'],
  ['sandboxImage', matches(IMAGE), 'an image reference']
]

const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v))

/**
 * mosquitto.repository and .tag, the chart's two values, split at build time
 * (@kedge/bundle chartImage): they must join back into mosquitto.image, so the cloud sets
 * exactly the image the bundle carries.
 */
function mosquittoChartProblems(doc: unknown): string[] {
  const image = get(doc, 'mosquitto.image')
  const repository = get(doc, 'mosquitto.repository')
  const tag = get(doc, 'mosquitto.tag')
  if (typeof repository !== 'string' || typeof tag !== 'string' || typeof image !== 'string')
    return [`mosquitto.repository, .tag: ${show(repository)}, ${show(tag)} are not two strings`]
  if (`${repository}:${tag}` === image) return []
  return [
    `mosquitto.repository, .tag: ${show(repository)}, ${show(tag)} do not make mosquitto.image ${show(image)}`
  ]
}

/** Every problem of a parsed bundle.json, each as `path: value is not what`. */
export function checkBundleValues(doc: unknown): string[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return ['(top level): not a JSON object']
  const problems = FIELDS.filter(([path, check]) => !check(get(doc, path))).map(
    ([path, , what]) => `${path}: ${show(get(doc, path))} is not ${what}`
  )
  problems.push(...mosquittoChartProblems(doc))
  const images = (doc as { images?: unknown }).images
  if (!Array.isArray(images)) return [...problems, 'images: not a list']
  images.forEach((image: unknown, i) => {
    if (!matches(IMAGE)(get(image, 'name')))
      problems.push(`images[${i}].name: ${show(get(image, 'name'))} is not an image reference`)
    if (!matches(DIGEST)(get(image, 'manifestDigest')))
      problems.push(
        `images[${i}].manifestDigest: ${show(get(image, 'manifestDigest'))} is not sha256:<64 hex>`
      )
    const size = get(image, 'size')
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      problems.push(`images[${i}].size: ${show(size)} is not a byte count`)
  })
  return problems
}
