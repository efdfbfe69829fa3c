// A process and everything it started, read from /proc (Linux): what the grader measures and
// ends as one submission.
import { readdirSync, readFileSync } from "node:fs";

/** `root` and its descendants (children of every thread, recursively). */
export function processTree(root: number): number[] {
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone already
    }
    for (const tid of tasks) {
      try {
        for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ")) if (child.trim()) stack.push(Number(child));
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return out;
}

/** Resident memory of these processes together, in bytes. */
export function residentBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

/** The process of the tree that runs `executable` with `marker` among its arguments (not a wrapper such as bwrap that names it). */
export function findInTree(root: number, executable: string, marker: string): number | null {
  for (const pid of processTree(root)) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (argv[0] === executable && argv.includes(marker)) return pid;
    } catch {
      // gone
    }
  }
  return null;
}

/** Sends `signal` to every process of the tree, leaves first. */
export function signalTree(root: number, signal: NodeJS.Signals): void {
  for (const pid of processTree(root).reverse()) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}
