import { readFileSync } from "node:fs";

/** What one run of a workload prints (one JSON line), whichever system ran it. */
export interface RunResult {
  value: number;
  unit: string;
  /** Memory after the warm-up (step 100) and the most seen after it, in MiB (RSS unless `memory` says otherwise). */
  rss100: number;
  rssPeak: number;
  collections?: number;
  memory?: string;
}

/** Resident set size in MiB, from /proc where there is one (cheaper than process.memoryUsage). */
export function rssMB(): number {
  try {
    const pages = Number(readFileSync("/proc/self/statm", "utf8").split(" ")[1]);
    return (pages * 4096) / 2 ** 20;
  } catch {
    return process.memoryUsage().rss / 2 ** 20;
  }
}
