/**
 * Runs at most `concurrency` of the given tasks at once. A finishing task hands its slot
 * straight to the next waiting one, so a newcomer can never slip in between.
 */
export function limiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`concurrency must be a whole number >= 1, got ${concurrency}`)
  }
  let active = 0
  const waiting: Array<() => void> = []
  const release = (): void => {
    const next = waiting.shift()
    if (next) next()
    else active -= 1
  }
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < concurrency) active += 1
    else await new Promise<void>(resolve => waiting.push(resolve))
    try {
      return await task()
    } finally {
      release()
    }
  }
}
