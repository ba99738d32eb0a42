/**
 * The fetch-crds action: the Istio CRDs EdgeMesh needs (or explicit URLs) and charts,
 * fetched, verified against the spec's pins, validated as CRDs, written under
 * <output-dir>/crds/istio/ and <output-dir>/charts/. Inputs → fetchCrds → outputs.
 */
import * as core from '@actions/core'
import { resolve } from 'node:path'
import { edgemeshSources, fetchCrds, parseUrlPins, type CrdSource } from '@kedge/bundle'
import { readSpec } from '../spec-input.js'

/** The CRDs and charts to fetch: explicit inputs, else the spec's for the EdgeMesh version. */
function readSources(): { crds: CrdSource[]; charts: CrdSource[] } {
  const wanted = core.getInput('edgemesh-version')
  const base = readSpec()
  const sources = edgemeshSources(wanted ? readSpec({ versions: { edgemesh: wanted } }) : base)
  if (wanted && wanted !== base.versions.edgemesh) {
    // The spec's pins are for its own EdgeMesh version.
    core.warning(
      `edgemesh-version ${wanted} differs from the spec's ${base.versions.edgemesh}: its CRDs and chart are not pinned; their sha256 is recorded. Pin them in a spec.`
    )
    for (const s of [...sources.crds, ...sources.charts]) s.sha256 = ''
  }
  const urls = core.getInput('urls')
  const charts = core.getInput('charts')
  return {
    crds: urls ? parseUrlPins(urls, 'input urls') : sources.crds,
    charts: charts ? parseUrlPins(charts, 'input charts') : urls ? [] : sources.charts
  }
}

export async function run(): Promise<void> {
  try {
    const result = await fetchCrds({
      ...readSources(),
      dir: resolve(core.getInput('output-dir') || 'kedge-crds'),
      warn: m => {
        core.warning(m)
      }
    })
    for (const crd of result.crds) {
      core.info(`CRD ${crd.name} (${crd.versions.join(', ')}) from ${crd.url}: ${crd.verifiedBy}`)
    }
    for (const chart of result.charts) {
      core.info(`chart ${chart.chart} from ${chart.url}: ${chart.verifiedBy}`)
    }
    core.setOutput('crds', result.crds.length)
    core.setOutput('dir', resolve(result.dir))
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}
