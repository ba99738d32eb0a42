/**
 * @actions/core writes `::debug::` lines to stdout (the runner hides them unless debugging
 * is on). Tests that call @actions/tool-cache in-process would flood the log with them, so
 * only those lines are dropped here; everything else is written as it is.
 */
const write = process.stdout.write.bind(process.stdout)
process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
  if (typeof chunk === 'string' && /^::debug::/.test(chunk)) return true
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest)
}
