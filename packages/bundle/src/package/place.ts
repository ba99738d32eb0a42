/** Phase 4, place: verified downloads into the tree, and the installer, install.sh, README. */
import { existsSync } from 'node:fs'
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { FetchedAsset } from '../assets.js'
import { extractTarGz } from '../extract.js'
import { installSh, readmeTxt } from '../texts.js'
import type { Build } from './types.js'

/** Puts a verified download where its placement says; returns the paths written. */
export async function place(fetched: FetchedAsset, root: string): Promise<string[]> {
  const p = fetched.asset.place
  if (p.kind === 'file') {
    const target = join(root, p.path)
    await mkdir(dirname(target), { recursive: true })
    await copyFile(fetched.path, target)
    await chmod(target, p.mode ?? 0o644)
    return [p.path]
  }
  if (p.kind === 'extract') {
    const written = await extractTarGz(fetched.path, root, { select: path => p.files[path] })
    const missing = Object.keys(p.files).filter(f => !written.includes(p.files[f] ?? ''))
    if (missing.length > 0) {
      throw new Error(`${fetched.asset.url} does not hold ${missing.join(', ')}`)
    }
    for (const w of written) await chmod(join(root, w), p.mode ?? 0o644)
    return written
  }
  const written = await extractTarGz(fetched.path, join(root, p.dir), {
    select: (path, type) => (type === 'file' && !path.includes('/') ? path : undefined)
  })
  if (written.length === 0) throw new Error(`${fetched.asset.url} holds no files`)
  for (const w of written) await chmod(join(root, p.dir, w), 0o755)
  return written.map(w => `${p.dir}/${w}`)
}

/** install.js (when built), install.sh and README.txt; returns whether install.js is in. */
export async function placeInstaller(
  build: Build,
  installer: string | undefined,
  assets: FetchedAsset[]
): Promise<boolean> {
  const { root } = build
  const hasInstaller = installer !== undefined && existsSync(installer)
  if (hasInstaller && installer) {
    await copyFile(installer, join(root, 'install.js'))
    await chmod(join(root, 'install.js'), 0o755)
    // install.js is an ES module; node 18 needs to be told so.
    await writeFile(join(root, 'package.json'), '{ "type": "module", "private": true }\n')
  } else {
    build.warn(
      'the installer (dist/installer/install.js) is not built yet: the bundle leaves its place (install.js)'
    )
  }
  const nodeTarball = basename(
    assets.find(a => a.asset.name === 'node')?.asset.url ?? 'node.tar.gz'
  )
  await writeFile(join(root, 'install.sh'), installSh(nodeTarball), { mode: 0o755 })
  await chmod(join(root, 'install.sh'), 0o755)
  await writeFile(
    join(root, 'README.txt'),
    readmeTxt(build.spec, build.side, build.arch, build.name, hasInstaller)
  )
  return hasInstaller
}
