/**
 * Reused transfer buffers. A blob download copies each socket chunk into one of a pair of
 * these at once, so the chunk node allocated for the read dies young (a scavenge frees it)
 * instead of being held across a disk write, which promoted it to the old generation and
 * left it for a full collection (V8 runs one only after ~64 MiB of such external memory).
 * A pair per transfer in flight, reused across transfers: the resident set no longer grows
 * with the blob size or the number of blobs (npm run bench --scale measures it).
 */
export const STAGE_SIZE = 128 * 1024

export interface Stage {
  /** The buffer being filled. */
  fill: Buffer
  /** The buffer being written (or free). */
  spare: Buffer
}

export class StagingPool {
  private readonly free: Stage[] = []

  constructor(private readonly size = STAGE_SIZE) {}

  acquire(): Stage {
    return (
      this.free.pop() ?? {
        fill: Buffer.allocUnsafeSlow(this.size),
        spare: Buffer.allocUnsafeSlow(this.size)
      }
    )
  }

  release(stage: Stage): void {
    this.free.push(stage)
  }
}
