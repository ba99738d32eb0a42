import './v8-flags.js' // first: before any code runs hot
import { run } from './main.js'

await run()
