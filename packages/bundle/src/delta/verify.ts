/**
 * The completeness check of a delta bundle's directory. A full bundle's images archive must
 * hold every blob its manifests reference; a delta's must hold each one or list it in
 * delta.omittedBlobs (the base carried it). The files a delta leaves out must be absent and
 * listed. buildDelta runs this before it writes the tarball.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { deltaSection } from './check.js'
import { blobEntry, readImagesLayout } from './layout.js'

/** What is wrong with the delta in `root` (its extracted top directory); empty when complete. */
export async function verifyDelta(root: string): Promise<string[]> {
  const json = JSON.parse(await readFile(join(root, 'meta', 'bundle.json'), 'utf8')) as {
    side: string
    files: Array<{ path: string }>
  }
  const delta = deltaSection(json)
  if (!delta) return [`${root}: meta/bundle.json has no delta section: not a delta bundle`]
  const problems: string[] = []
  const archive = `images/${json.side}-images.tar`
  const layout = await readImagesLayout(join(root, archive))
  const omitted = new Set(delta.omittedBlobs.map(b => b.digest))
  const referenced = new Set<string>()
  const absent = new Map<string, string[]>()
  for (const m of layout.manifests) {
    referenced.add(m.digest)
    for (const b of [m.config, ...m.layers]) {
      referenced.add(b.digest)
      const held = layout.spans.has(blobEntry(b.digest))
      if (!held && !omitted.has(b.digest))
        absent.set(b.digest, [...(absent.get(b.digest) ?? []), m.name])
      if (held && omitted.has(b.digest)) {
        problems.push(`${archive}: ${b.digest} is listed as left out, but the archive holds it`)
      }
    }
  }
  for (const twin of layout.twins) {
    if (!layout.spans.has(blobEntry(twin)))
      problems.push(`${archive}: index.oci.json lists ${twin}, which the archive does not hold`)
  }
  for (const [digest, images] of absent) {
    problems.push(
      `${archive}: ${images.join(', ')} need(s) ${digest}, which is neither in the archive nor listed as left out`
    )
  }
  for (const d of omitted) {
    if (!referenced.has(d))
      problems.push(`delta.omittedBlobs lists ${d}, which no image of this bundle uses`)
  }
  for (const f of delta.omittedFiles) {
    if (existsSync(join(root, f.path)))
      problems.push(`${f.path} is listed as left out, but the delta holds it`)
  }
  for (const f of json.files) {
    if (!existsSync(join(root, f.path)))
      problems.push(`${f.path} is in bundle.json files, but missing`)
  }
  return problems
}
