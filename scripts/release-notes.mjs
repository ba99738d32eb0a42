#!/usr/bin/env node
// Release notes from the bundles' bundle.json: versions, and every image with its digest.
//   node scripts/release-notes.mjs release/*.bundle.json > NOTES.md
import { readFileSync } from 'node:fs'

const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node scripts/release-notes.mjs <bundle.json>...')
  process.exit(2)
}
const all = files
  .map(f => JSON.parse(readFileSync(f, 'utf8')))
  .sort((a, b) => (a.name < b.name ? -1 : 1))
// Delta bundles (bundle.json with a `delta` section) get their own short list.
const bundles = all.filter(b => !b.delta)
const deltas = all.filter(b => b.delta)
const first = bundles[0]
const lines = ['## Versions', '', '| component | version |', '| --- | --- |']
for (const [name, version] of Object.entries(first.versions)) lines.push(`| ${name} | ${version} |`)
lines.push('', '## Bundles', '')
lines.push(
  'Check the tarballs with `sha256sum -c SHA256SUMS`; each holds its own SHA256SUMS and meta/bundle.json.',
  ''
)
for (const b of bundles) {
  lines.push(
    `### ${b.name}.tar.gz`,
    '',
    `${b.side} side, linux/${b.arch}, ${b.images.length} images:`,
    ''
  )
  lines.push('| image | manifest digest |', '| --- | --- |')
  for (const i of b.images) lines.push(`| ${i.name} | \`${i.manifestDigest}\` |`)
  if (b.warnings?.length) lines.push('', 'Warnings:', '', ...b.warnings.map(w => `- ${w}`))
  lines.push('')
}
if (deltas.length) {
  lines.push(
    '## Delta bundles',
    '',
    'For a host that runs the base bundle: `sudo ./install.sh upgrade`. They carry only the image layers and files the base lacks.',
    ''
  )
  for (const d of deltas)
    lines.push(
      `- ${d.name}.tar.gz: ${d.delta.target.name} from ${d.delta.base.name} (${d.delta.omittedBlobs.length} layers and ${d.delta.omittedFiles.length} files left out)`
    )
  lines.push('')
}
process.stdout.write(`${lines.join('\n')}\n`)
