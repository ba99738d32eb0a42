/**
 * Edits of existing YAML configuration that change only the keys named and keep the rest:
 * edgecore.yaml after keadm join, and the cloudcore ConfigMap's cloudcore.yaml (the old
 * script's JSON patch replaced that whole document; never again).
 */
import type * as JsYaml from 'js-yaml'

/**
 * js-yaml, loaded on first use: it is 130 KB of the 300 KB bundled install.js, and plan and
 * --help never parse YAML. webpackMode "eager" keeps it inside install.js (no chunk file
 * beside it that a bundle would have to carry), evaluated only when first imported.
 */
export function yamlLib(): Promise<typeof JsYaml> {
  return import(/* webpackMode: "eager" */ 'js-yaml')
}

type Tree = Record<string, unknown>

export function getPath(doc: unknown, path: string): unknown {
  let node: unknown = doc
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Tree)[key]
  }
  return node
}

/** Sets one key, creating the mappings on the way; other keys are untouched. */
export function setPath(doc: Tree, path: string, value: unknown): void {
  const keys = path.split('.')
  let node: Tree = doc
  for (const key of keys.slice(0, -1)) {
    const next = node[key]
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {}
    node = node[key] as Tree
  }
  node[keys[keys.length - 1] ?? ''] = value
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * The edgecore settings the installer sets, given the cloud address: metaServer and
 * edgeStream (cloud tunnel port, 10004), and with EdgeMesh its DNS 169.254.96.16.
 */
export function edgecoreSettings(
  cloudIp: string,
  streamPort = 10004,
  edgemesh = true
): Record<string, unknown> {
  return {
    'modules.metaManager.metaServer.enable': true,
    'modules.edgeStream.enable': true,
    'modules.edgeStream.server': `${cloudIp}:${streamPort}`,
    ...(edgemesh ? { 'modules.edged.tailoredKubeletConfig.clusterDNS': ['169.254.96.16'] } : {}),
    'modules.edged.tailoredKubeletConfig.clusterDomain': 'cluster.local'
  }
}

/** The settings of `wanted` that `yaml` does not have. */
export async function missingSettings(
  yaml: string,
  wanted: Record<string, unknown>
): Promise<string[]> {
  const doc = (await yamlLib()).load(yaml)
  return Object.entries(wanted)
    .filter(([path, value]) => !sameValue(getPath(doc, path), value))
    .map(([path]) => path)
}

/** Applies `wanted` to a YAML document, keeping every other key. */
export async function mergeSettings(
  yaml: string,
  wanted: Record<string, unknown>,
  what: string
): Promise<string> {
  const { dump, load } = await yamlLib()
  const doc = load(yaml)
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new Error(`${what} is not a YAML mapping; not editing it`)
  }
  for (const [path, value] of Object.entries(wanted)) setPath(doc as Tree, path, value)
  return dump(doc, { lineWidth: -1, noRefs: true })
}

/**
 * The cloudcore ConfigMap with modules.dynamicController.enable = true in its
 * cloudcore.yaml, the rest of that document and of the ConfigMap kept as they were.
 */
export async function enableDynamicController(
  configMapYaml: string
): Promise<{ yaml: string; changed: boolean }> {
  const { dump, load } = await yamlLib()
  const cm = load(configMapYaml) as { data?: Record<string, string> } | null
  const inner = cm?.data?.['cloudcore.yaml']
  if (!cm || typeof inner !== 'string') {
    throw new Error('the cloudcore ConfigMap has no data["cloudcore.yaml"]; not editing it')
  }
  if (getPath(load(inner), 'modules.dynamicController.enable') === true)
    return { yaml: configMapYaml, changed: false }
  const data = cm.data ?? {}
  data['cloudcore.yaml'] = await mergeSettings(
    inner,
    { 'modules.dynamicController.enable': true },
    'cloudcore.yaml'
  )
  const clean = cm as { metadata?: Tree }
  // Server-set fields would make kubectl replace fail or conflict.
  for (const key of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields'])
    delete clean.metadata?.[key]
  return { yaml: dump(cm, { lineWidth: -1, noRefs: true }), changed: true }
}
