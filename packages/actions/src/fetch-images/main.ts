/**
 * The fetch-images action: inputs -> fetchImages() -> outputs, log groups, a job summary.
 * Daemonless: it talks to the registries directly, for one platform or several (one
 * archive each, every index fetched once).
 */
import * as core from '@actions/core'
import { readFileSync, existsSync } from 'node:fs'
import { describeRateLimit, fetchImages, parseImageList, type FetchImagesResult } from '@kedge/oci'
import {
  actionsLogger,
  formatBytes,
  getBoolean,
  getInteger,
  readRegistryInputs
} from '../inputs.js'

/** Reads the images and images-file inputs into one list. */
function readImages(): string[] {
  const inline = core.getInput('images')
  const file = core.getInput('images-file')
  let text = inline
  if (file) {
    if (!existsSync(file)) throw new Error(`input images-file: no file at "${file}"`)
    text += `\n${readFileSync(file, 'utf8')}`
  }
  const images = parseImageList(text)
  if (images.length === 0) {
    throw new Error('no images given: set the images input, or images-file (one image per line)')
  }
  return images
}

/** `true` when every blob came from the cache, `partial` when some did, `false` when none. */
export function cacheHit(stats: FetchImagesResult['stats']): 'true' | 'partial' | 'false' {
  if (stats.reused === 0) return 'false'
  return stats.fetched === 0 ? 'true' : 'partial'
}

async function writeSummary(result: FetchImagesResult, platform: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const limits = result.rateLimits.map(describeRateLimit)
  await core.summary
    .addHeading('kedge fetch-images', 3)
    .addRaw(
      `${result.images.length} images for ${platform}: ${formatBytes(result.bytes)} archived, ${formatBytes(result.stats.bytesFetched)} fetched, ${result.stats.reused} blobs from cache, ${result.stats.fetched} fetched.`,
      true
    )
    .addRaw(limits.length ? `Registry pull limits after this run: ${limits.join('; ')}.` : '', true)
    .addTable([
      [
        { data: 'image', header: true },
        { data: 'platform', header: true },
        { data: 'manifest digest', header: true },
        { data: 'size', header: true }
      ],
      ...result.images.map(i => [
        i.name,
        i.platform,
        `<code>${i.manifestDigest}</code>`,
        formatBytes(i.size)
      ])
    ])
    .write()
}

function setOutputs(result: FetchImagesResult): void {
  const several = result.platforms.length > 1
  core.setOutput(
    'archive',
    several ? result.platforms.map(p => p.output).join('\n') : result.output
  )
  core.setOutput(
    'images-json',
    several ? result.platforms.map(p => p.imagesJson).join('\n') : result.imagesJson
  )
  core.setOutput(
    'archives',
    JSON.stringify(Object.fromEntries(result.platforms.map(p => [p.platform, p.output])))
  )
  core.setOutput('count', result.images.length)
  core.setOutput('bytes', result.bytes)
  core.setOutput('cache-hit', cacheHit(result.stats))
  core.setOutput('blobs-reused', result.stats.reused)
  core.setOutput('blobs-fetched', result.stats.fetched)
}

export async function run(): Promise<void> {
  try {
    const images = readImages()
    const platform = core.getInput('platform') || 'linux/amd64'
    const perImage = getBoolean('per-image', false)
    const output = core.getInput('output') || (perImage ? 'images' : 'images.tar')
    const cacheDir = core.getInput('cache-dir')
    const imagesJson = core.getInput('images-json')
    let lastReport = 0
    const result = await fetchImages({
      images,
      platform,
      output,
      perImage,
      ...(cacheDir ? { cacheDir } : {}),
      ...(imagesJson ? { imagesJson } : {}),
      concurrency: getInteger('concurrency', 8, 1, 64),
      client: {
        ...readRegistryInputs(),
        retry: { budgetMs: getInteger('max-wait', 900, 0, 6 * 3600) * 1000 }
      },
      logger: actionsLogger,
      onProgress: (fetched, total) => {
        const now = Date.now()
        if (now - lastReport > 5000 || fetched === total) {
          lastReport = now
          core.info(`fetched ${formatBytes(fetched)} of ${formatBytes(total)}`)
        }
      }
    })
    for (const image of result.images) {
      core.startGroup(`${image.name} (${image.platform})`)
      core.info(`reference: ${image.reference}`)
      if (image.indexDigest) core.info(`index:     ${image.indexDigest}`)
      core.info(`manifest:  ${image.manifestDigest}`)
      core.info(`config:    ${image.configDigest}`)
      core.info(`layers:    ${image.layers}, ${formatBytes(image.size)} compressed`)
      core.info(`archive:   ${image.archive}`)
      core.endGroup()
    }
    core.info(
      `${result.images.length} images, ${formatBytes(result.bytes)} in ${result.archives.length} archive(s); fetched ${formatBytes(result.stats.bytesFetched)} in ${result.stats.requests} blob requests, ${result.stats.reused} blobs from the cache`
    )
    for (const limit of result.rateLimits) core.info(`pull limit: ${describeRateLimit(limit)}`)
    setOutputs(result)
    await writeSummary(result, platform)
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}
