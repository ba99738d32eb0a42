/**
 * Reused transfer buffers. A blob download copies each piece the connection read (a view
 * of its read buffer, valid only until the next piece is asked for: wire.ts) into one of a
 * pair of these at once, and writes a full one to disk while the other fills, so the socket
 * keeps reading during a write and nothing is allocated per read. (Before wire.ts, node:http
 * gave a fresh 64 KiB buffer per read, and holding those across disk writes promoted them
 * to the old generation; the stages were the first fix for that.) A pair per transfer in
 * flight, reused across transfers: the resident set does not grow with the blob size or
 * the number of blobs (npm run bench --scale measures it). 64 KiB, one plain read's worth:
 * 128 KiB stages measured 1 MiB more resident (8 transfers at once) for no time gained
 * beyond the noise (node 24, 1 GiB, 5 interleaved runs each).
 */
export const STAGE_SIZE = 64 * 1024

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
