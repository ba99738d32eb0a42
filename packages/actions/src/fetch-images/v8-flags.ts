/**
 * V8 settings for the fetch-images process, set before anything runs hot. An action cannot
 * pass node flags, so they are set at run time; a node that ignores one runs as it would
 * have. Measured with the scale bench's 1 GiB set (README, "Speed and memory"):
 *  - --no-opt: a fetch spends its time in native code (socket reads, sha256, file writes),
 *    so V8's optimizing compiler (TurboFan) buys little here, and its compile jobs cost
 *    ~6 MiB of resident memory: 70 MiB instead of 76 on node 24 (64 -> 57 on node 20) for
 *    ~3% more time.
 *  - --semi-space-growth-factor=1: the young generation keeps its first size instead of
 *    doubling when the startup's allocations survive; what a download leaves behind is
 *    scavenged every 8 MiB anyway (young-gc.ts). 1.5 MiB less resident on node 24 (new
 *    space 2.0 MiB instead of 3.6 at the peak), no time measurably lost.
 */
import { setFlagsFromString } from 'node:v8'

setFlagsFromString('--no-opt')
setFlagsFromString('--semi-space-growth-factor=1')
