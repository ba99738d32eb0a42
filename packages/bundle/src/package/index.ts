/**
 * packageBundle: one side's bundle for one arch, as a deterministic tar.gz.
 *
 * Layout of the single top directory (named like the tarball):
 *   install.js, install.sh, README.txt, SHA256SUMS,
 *   bin/ (k3s, keadm, helm | containerd, ctr, shim, runc, keadm), cni/bin/ (edge),
 *   images/<side>-images.tar, charts/, crds/istio/ (cloud), runtime/ (node), files/ (yours),
 *   meta/bundle.json, meta/images.json, meta/sbom.cdx.json, meta/k3s-images.txt (cloud);
 *   SHA256SUMS.sig when a signing key is given.
 * Everything is assembled in a staging directory beside the output, verified, and only
 * then written as <name>.tar.gz (temporary name, then rename) with <name>.bundle.json and
 * <name>.cdx.json (the SBOM).
 *
 * Phases, one file each: resolve → assets (release assets, placed as they come: the cloud's
 * image list is one of them) → images (→ check) → assets (CRDs, your files) → place
 * (installer, texts) → meta → archive.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fetchOwnFiles, fetchReleaseAssets, gatherCrds, reportUnverified } from './assets.js'
import { writeArchive, writeBeside } from './archive.js'
import { gatherImages, k3sImageList, readImportedArchive } from './images.js'
import { writeManifest, writeSums } from './meta.js'
import { placeInstaller } from './place.js'
import { resolve } from './resolve.js'
import { writeSbom } from '../sbom.js'
import { signingKey, signSums } from '../sign.js'
import type { Build, PackageOptions, PackageResult } from './types.js'

export { bundleName, CHART_MOSQUITTO_IMAGE } from './resolve.js'
export type {
  Download,
  PackageOptions,
  PackageProgress,
  PackageResult,
  Unverified
} from './types.js'

export async function packageBundle(options: PackageOptions): Promise<PackageResult> {
  const phase = (name: string): void => options.progress?.phase(name)
  phase('check the spec and inputs')
  const resolved = resolve(options.spec, options.side, options.arch, options.logger)
  const imported = options.imagesArchive
    ? await readImportedArchive(resolved, options.imagesArchive)
    : undefined
  await mkdir(options.outputDir, { recursive: true })
  const staging = await mkdtemp(join(options.outputDir, `.${resolved.name}.staging-`))
  const build: Build = { ...resolved, root: join(staging, resolved.name) }
  // Checked before any download: a bad key fails the build at once.
  const key = options.signingKey ? signingKey(options.signingKey, 'signing-key') : undefined
  try {
    await mkdir(join(build.root, 'meta'), { recursive: true })
    phase('release assets')
    const assets = await fetchReleaseAssets(build)
    phase(imported ? 'images (from images-archive)' : 'images')
    const images = await gatherImages(build, options, await k3sImageList(build), imported)
    phase('CRDs, charts and your files')
    const crds = await gatherCrds(build, options.crdsDir)
    assets.push(...(await fetchOwnFiles(build)))
    const unverified = reportUnverified(build, assets)
    phase('installer, metadata and SHA256SUMS')
    const hasInstaller = await placeInstaller(build, options.installer, assets)
    const sbomText = await writeSbom({ ...build, spec: build.spec, images, assets, crds })
    const manifestText = await writeManifest(build, {
      images,
      assets,
      crds,
      hasInstaller,
      gitSha: options.gitSha
    })
    await writeSums(build.root)
    if (key) await signSums(build.root, key)
    phase('archive')
    const out = await writeArchive(build, options.outputDir, manifestText, options.progress)
    const sbom = await writeBeside(options.outputDir, `${build.name}.cdx.json`, sbomText)
    const downloads = assets.map(a => ({
      name: a.asset.name,
      url: a.asset.url,
      recordedUrl: a.asset.canonical?.url ?? a.asset.url,
      sha256: a.sha256,
      verifiedBy: a.verifiedBy
    }))
    return {
      name: build.name,
      ...out,
      sbom,
      images,
      warnings: build.warnings,
      unverified,
      downloads
    }
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}
