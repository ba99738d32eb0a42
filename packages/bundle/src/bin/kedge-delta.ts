/** The kedge delta command (dist/delta/index.js, npm run delta); see delta/cli.ts. */
import { deltaMain } from '../delta/cli.js'

process.exitCode = await deltaMain(process.argv.slice(2))
