// The first reply as a student meets it: a notebook opened in JupyterLab asks Jupyter Server for
// a session, the server starts the kernel and waits until it answers kernel_info and its
// activity monitor has seen it leave "starting", and only then runs the first cell. The
// benchmark's own ZeroMQ client (client.ts) sees none of that; this phase drives a real Jupyter
// Server (Debian's python3-jupyter-server) with @jupyterlab/services, JupyterLab's own client.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { KernelManager, ServerConnection, SessionManager } from "@jupyterlab/services";
import { freePort, type KernelCommand } from "./client.js";
import { median } from "./stats.js";

const PYTHON = process.env.BENCH_PYTHON ?? "/usr/bin/python3";

export interface ServerFirstReplies {
  /** Median, per kernel name, from asking for a session to the first `1+1` execute_reply; null if the server is missing. */
  medians: Record<string, number> | null;
  /** Why there are none. */
  missing?: string;
}

/** Starts and measures the kernels in turn (alternating, so a slow minute hits them alike). */
export async function firstRepliesThroughServer(kernels: KernelCommand[], notebook: string, starts: number): Promise<ServerFirstReplies> {
  const probe = spawnSync(PYTHON, ["-c", "import jupyter_server"], { encoding: "utf8" });
  if (probe.status !== 0) return { medians: null, missing: `${PYTHON} cannot import jupyter_server (Debian: apt-get install python3-jupyter-server)` };
  const home = mkdtempSync(path.join(os.tmpdir(), "gradlab-bench-jupyter-"));
  let server: ChildProcess | null = null;
  try {
    for (const kernel of kernels) {
      const dir = path.join(home, "share", "jupyter", "kernels", kernel.name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "kernel.json"), JSON.stringify({ argv: kernel.argv, display_name: kernel.name, language: "typescript", env: kernel.env ?? {} }));
    }
    const port = await freePort();
    const token = randomUUID();
    const env = { ...process.env, JUPYTER_PATH: path.join(home, "share", "jupyter"), JUPYTER_CONFIG_DIR: path.join(home, "config"), JUPYTER_DATA_DIR: path.join(home, "data"), JUPYTER_RUNTIME_DIR: path.join(home, "runtime") };
    server = spawn(PYTHON, ["-m", "jupyter_server", "--allow-root", "--no-browser", "--ServerApp.ip=127.0.0.1", `--ServerApp.port=${port}`, "--ServerApp.port_retries=0", `--ServerApp.token=${token}`, `--ServerApp.root_dir=${notebook}`], { env, stdio: "ignore" });
    const baseUrl = `http://127.0.0.1:${port}/`;
    await waitForServer(`${baseUrl}api/status?token=${token}`);
    const serverSettings = ServerConnection.makeSettings({ baseUrl, wsUrl: `ws://127.0.0.1:${port}/`, token, appendToken: true });
    const kernelManager = new KernelManager({ serverSettings });
    const sessions = new SessionManager({ kernelManager, serverSettings });
    await sessions.ready;
    const times = new Map<string, number[]>(kernels.map((k) => [k.name, []]));
    for (let i = 0; i < starts; i++) {
      for (const kernel of kernels) {
        const name = `bench-${kernel.name}-${i}.ipynb`;
        const asked = performance.now();
        const session = await sessions.startNew({ path: name, name, type: "notebook", kernel: { name: kernel.name } });
        try {
          const connection = session.kernel;
          if (!connection) throw new Error(`${kernel.name}: the session has no kernel`);
          const reply = await withTimeout(connection.requestExecute({ code: "1+1" }).done, 60_000, `${kernel.name}: no reply to 1+1 through Jupyter Server`);
          if (reply.content.status !== "ok") throw new Error(`${kernel.name}: 1+1 failed through Jupyter Server`);
          times.get(kernel.name)!.push(performance.now() - asked);
        } finally {
          await session.shutdown();
        }
      }
    }
    sessions.dispose();
    kernelManager.dispose();
    return { medians: Object.fromEntries([...times].map(([name, values]) => [name, median(values)])) };
  } finally {
    server?.kill("SIGTERM");
    rmSync(home, { recursive: true, force: true });
  }
}

async function waitForServer(statusUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(statusUrl)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("Jupyter Server did not answer within 60 s");
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref())]);
}
