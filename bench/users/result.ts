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
  /**
   * CPU time of all the process's threads ÷ wall time over the timed part: how many cores the
   * run kept busy. A peer's "one thread" setting need not mean one busy core (PyTorch's does not).
   */
  cores?: number;
}

/** Seconds of CPU time used so far by every thread of this process. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Cores kept busy since `cpu0` (from cpuSeconds) over `seconds` of wall time. */
export function coresSince(cpu0: number, seconds: number): number {
  return (cpuSeconds() - cpu0) / seconds;
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
