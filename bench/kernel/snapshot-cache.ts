// The start-up snapshot the kernel benchmarks start from: built beforehand into a private cache
// folder (never the user's own), as a kernel finds it from its second start on.
import { spawnSync } from "node:child_process";
import path from "node:path";

/** Builds gradlab's snapshot into `cache` with `gradlab snapshot`; throws with its stderr if that fails. */
export function buildSnapshot(root: string, cache: string): void {
  const result = spawnSync(process.execPath, [path.join(root, "bin", "gradlab.js"), "snapshot"], { env: { ...process.env, GRADLAB_CACHE_DIR: cache }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`gradlab snapshot failed: ${result.stderr}`);
}
