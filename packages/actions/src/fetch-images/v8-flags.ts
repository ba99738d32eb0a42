/**
 * V8 settings for the fetch-images process, set before anything runs hot. A fetch spends its
 * time in native code (socket reads, sha256, file writes), so V8's optimizing compiler
 * (TurboFan) buys little here, and its compile jobs cost ~6 MiB of resident memory: with
 * --no-opt a 1 GiB fetch measured 70 MiB instead of 76 on node 24 (64 -> 57 on node 20) for
 * ~3% more time (README, "Speed and memory"). An action cannot pass node flags, so the
 * flag is set at run time; a node that ignores it runs as it would have.
 */
import { setFlagsFromString } from 'node:v8'

setFlagsFromString('--no-opt')
