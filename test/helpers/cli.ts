import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The `gradlab` command as a user runs it; on the CPU unless `env` says otherwise. */
export function gradlab(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "gradlab.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 300_000,
    env: { ...process.env, GRADLAB_BACKEND: "cpu", GRADLAB_NO_SNAPSHOT: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
