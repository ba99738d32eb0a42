/**
 * The file half of a delta: opening the new full bundle (directory or .tar.gz), checking it
 * against its SHA256SUMS, and copying what the delta keeps (modes included).
 */
import { chmod, copyFile, mkdir, readFile, readdir, stat } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { hashFile } from '../checksums.js'
import { extractTarGz } from '../extract.js'
import type { BundleJson } from './base.js'
import type { DeltaSection } from './check.js'

/** Files a delta always carries, whatever the base had. */
export function alwaysKept(path: string): boolean {
  return (
    ['install.js', 'install.sh', 'package.json', 'README.txt'].includes(path) ||
    path.startsWith('meta/') ||
    path.startsWith('runtime/') ||
    path.startsWith('images/')
  )
}

/** The extracted top directory of the new bundle: `bundle` itself, or its .tar.gz unpacked into `staging`. */
export async function openBundle(bundle: string, staging: string): Promise<string> {
  if ((await stat(bundle)).isDirectory()) return bundle
  const dir = join(staging, 'full')
  await extractTarGz(bundle, dir)
  const tops = await readdir(dir)
  if (tops.length !== 1 || !tops[0])
    throw new Error(`${bundle} does not hold one top directory: not a kedge bundle`)
  return join(dir, tops[0])
}

/** Verifies `root` against its SHA256SUMS: the delta is built from what was released. */
export async function verifySums(root: string): Promise<void> {
  const text = await readFile(join(root, 'SHA256SUMS'), 'utf8').catch(() => {
    throw new Error(`${root} has no SHA256SUMS: not a complete kedge bundle`)
  })
  for (const line of text.split('\n').filter(Boolean)) {
    const m = /^([a-f0-9]{64}) {2}(.+)$/.exec(line)
    if (!m?.[1] || !m[2]) throw new Error(`${root}/SHA256SUMS: bad line "${line}"`)
    if ((await hashFile(join(root, m[2]), 'sha256').catch(() => '')) !== m[1]) {
      throw new Error(
        `${root}/${m[2]} is missing or differs from SHA256SUMS: rebuild or copy the full bundle again`
      )
    }
  }
}

export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = []
  const visit = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name)
      if ((await stat(full)).isDirectory()) await visit(full)
      else out.push(relative(root, full).split('\\').join('/'))
    }
  }
  await visit(root)
  return out.sort()
}

/** Copies what the delta keeps; returns the files it leaves out. */
export async function placeFiles(
  from: string,
  to: string,
  target: BundleJson,
  base: BundleJson
): Promise<DeltaSection['omittedFiles']> {
  const baseFiles = new Map(base.files.map(f => [f.path, f.sha256]))
  const omitted: DeltaSection['omittedFiles'] = []
  for (const path of await listFiles(from)) {
    if (path === 'SHA256SUMS' || path === 'meta/bundle.json' || path.startsWith('images/')) continue
    const file = target.files.find(f => f.path === path)
    if (file && !alwaysKept(path) && baseFiles.get(path) === file.sha256) {
      omitted.push({ path, sha256: file.sha256, size: file.size })
      continue
    }
    await mkdir(dirname(join(to, path)), { recursive: true })
    await copyFile(join(from, path), join(to, path))
    const mode = (await stat(join(from, path))).mode & 0o777
    await chmod(join(to, path), mode)
  }
  return omitted
}
