// Kernels that share their identical memory (Linux's kernel same-page merging, KSM). A kernel
// restored from the start-up snapshot holds the same ~70 MB as every other one: the snapshot
// file as Node read it into memory and the heap deserialized from it. KSM finds such pages
// across processes and keeps one copy, so forty students' kernels hold those pages about once
// (measured in `npm run bench:kernel`, classroom phase; docs/sizing.md).
// Two switches, both Linux ≥ 6.4: the machine's (/sys/kernel/mm/ksm/run = 1, root), and each
// process's consent, prctl(PR_SET_MEMORY_MERGE), which its children inherit across fork and exec.
// Node cannot call prctl, so Python does it (bin/share-memory.py): in the hub's process
// (jupyterhub_config.py), whose single-user servers and their kernels inherit it, as the
// single-user image's start, and in the benchmarks.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../paths.js";

const KSM_RUN = "/sys/kernel/mm/ksm/run";

/** Whether the machine merges pages: "on", "off" (root can turn it on), or "absent" (no KSM in this Linux). */
export function ksmState(): "on" | "off" | "absent" {
  try {
    return readFileSync(KSM_RUN, "utf8").trim() === "1" ? "on" : "off";
  } catch {
    return "absent";
  }
}

/** The Python helper that asks for merging (bin/share-memory.py: a wrapper and a function). */
export function shareMemoryScript(): string {
  return join(packageRoot(), "bin", "share-memory.py");
}

/** argv that runs `argv` with memory merging asked for (through /usr/bin/python3). */
export function withMemoryMerge(argv: readonly string[], python = "/usr/bin/python3", script = shareMemoryScript()): string[] {
  return [python, script, ...argv];
}
