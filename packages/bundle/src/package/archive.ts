/** Phase 7, archive: <name>.tar.gz from the staged tree, then <name>.bundle.json beside it. */
import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { temporaryPath } from '@kedge/oci'
import { walkTree, writeTarGz } from '../targz.js'
import type { Build, PackageProgress } from './types.js'

export async function writeArchive(
  build: Build,
  outputDir: string,
  manifestText: string,
  progress?: PackageProgress
): Promise<{ bundle: string; sha256: string; size: number; manifest: string }> {
  const bundle = join(outputDir, `${build.name}.tar.gz`)
  const result = await writeTarGz(bundle, await walkTree(build.root, build.name), {
    ...(progress ? { onProgress: progress.bytes.bind(progress) } : {})
  })
  const manifest = await writeBeside(outputDir, `${build.name}.bundle.json`, manifestText)
  build.logger?.info(`bundle ${bundle}: ${result.bytes} bytes, sha256 ${result.sha256}`)
  return { bundle, sha256: result.sha256, size: result.bytes, manifest }
}

/** A file beside the tarball, written through a temporary name. */
export async function writeBeside(outputDir: string, name: string, text: string): Promise<string> {
  const path = join(outputDir, name)
  const temp = temporaryPath(path)
  await writeFile(temp, text)
  await rename(temp, path)
  return path
}
