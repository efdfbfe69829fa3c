// Test set-up shared by the kernel tests: a kernelspec installed with `gradlab install --prefix`
// into a temporary folder, and an environment that points Jupyter (and the kernel's per-user
// state) there, so tests never touch the user's real Jupyter configuration or history.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const GRADLAB_BIN = path.join(REPO, "bin", "gradlab.js");
/** Debian's Python, which has jupyter_client, jupyter_server and jupyter_kernel_test. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

export interface TestJupyter {
  root: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function installTestKernelspec(): TestJupyter {
  const root = mkdtempSync(path.join(os.tmpdir(), "gradlab-kernel-test-"));
  const prefix = path.join(root, "prefix");
  const result = spawnSync(process.execPath, [GRADLAB_BIN, "install", "--prefix", prefix], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`gradlab install failed: ${result.stderr}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: path.join(prefix, "share", "jupyter"),
    JUPYTER_RUNTIME_DIR: path.join(root, "runtime"),
    JUPYTER_CONFIG_DIR: path.join(root, "config"),
    JUPYTER_DATA_DIR: path.join(root, "data"),
    GRADLAB_STATE_DIR: path.join(root, "state"),
    GRADLAB_CACHE_DIR: path.join(root, "cache"),
    // The start-up snapshot has its own test (snapshot.test.ts).
    GRADLAB_NO_SNAPSHOT: "1",
    PYTHONUNBUFFERED: "1",
  };
  return { root, prefix, env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
