/**
 * A real CNCF distribution registry (Debian's `docker-registry`) on 127.0.0.1, with its
 * storage in a temporary directory. Plain HTTP: clients must treat it as insecure.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort, removeDir, startDaemon, tempDir, waitFor } from './proc.js'

export interface Registry {
  /** host:port, as it appears in image references. */
  readonly host: string
  /** http://host:port */
  readonly url: string
  readonly dir: string
  stop(): Promise<void>
}

export async function startRegistry(): Promise<Registry> {
  const dir = await tempDir('registry')
  // A port can be taken between freePort() and the bind; try a few.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const config = join(dir, 'config.yml')
    await writeFile(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'data')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        ''
      ].join('\n')
    )
    const daemon = startDaemon('docker-registry', ['serve', config], join(dir, 'registry.log'))
    const url = `http://127.0.0.1:${port}`
    const state = { exitedEarly: false }
    void daemon.exited.then(() => (state.exitedEarly = true))
    try {
      await waitFor(`docker-registry on ${url}`, async () => {
        if (state.exitedEarly) throw new Error(`docker-registry exited; see ${daemon.logFile}`)
        const res = await fetch(`${url}/v2/`)
        return res.status === 200
      })
    } catch (err) {
      await daemon.stop()
      if (attempt < 3 && state.exitedEarly) continue
      await removeDir(dir)
      throw err
    }
    return {
      host: `127.0.0.1:${port}`,
      url,
      dir,
      stop: async () => {
        await daemon.stop()
        await removeDir(dir)
      }
    }
  }
}
