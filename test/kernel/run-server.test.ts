// `gradlab run --server URL --token T`: the same notebook, executed by a gradlab kernel that a
// real Jupyter Server started, through @jupyterlab/services.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { freePort } from "../helpers/net.js";
import path from "node:path";
import { gradlab } from "../helpers/cli.js";
import { installTestKernelspec, SYSTEM_PYTHON, type TestJupyter } from "./support/kernelspec.js";

let jupyter: TestJupyter;
let server: ChildProcess;
let baseUrl = "";
const token = randomUUID();

beforeAll(async () => {
  jupyter = installTestKernelspec();
  const port = await freePort();
  const root = path.join(jupyter.root, "notebooks");
  mkdirSync(root, { recursive: true });
  server = spawn(SYSTEM_PYTHON, ["-m", "jupyter_server", "--allow-root", "--no-browser", "--ServerApp.ip=127.0.0.1", `--ServerApp.port=${port}`, "--ServerApp.port_retries=0", `--ServerApp.token=${token}`, `--ServerApp.root_dir=${root}`], { env: jupyter.env, stdio: "ignore" });
  baseUrl = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}api/status?token=${token}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("Jupyter Server did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
}, 90_000);

afterAll(() => {
  server?.kill("SIGTERM");
});

describe("gradlab run --server", () => {
  it("executes a notebook on the server's gradlab kernel and writes its outputs", () => {
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: ["const x = tensor([1, 2, 3]);", "console.log(x.sum());\nx.mul(2)", "display(plot.line([1, 4, 9]))"].map((source) => ({ cell_type: "code", source, metadata: {}, outputs: [] })),
    };
    const file = path.join(jupyter.root, "server-run.ipynb");
    writeFileSync(file, JSON.stringify(nb));
    const r = gradlab(["run", file, "--inplace", "--server", baseUrl, "--token", token], jupyter.env as Record<string, string>);
    expect(r.code, r.stderr).toBe(0);
    // @jupyterlab/services logs with console.debug, meant for a browser's console.
    expect(r.stdout + r.stderr).not.toMatch(/Kernel: \w+ \(|Starting WebSocket/);
    const out = JSON.parse(readFileSync(file, "utf8")) as { cells: { execution_count: number; outputs: { output_type: string; text?: string; data?: Record<string, unknown> }[] }[] };
    expect(out.cells.map((c) => c.execution_count)).toEqual([1, 2, 3]);
    expect(out.cells[1]!.outputs[0]!.text).toContain("6");
    expect(out.cells[1]!.outputs[1]!.data!["text/plain"]).toContain("tensor([2., 4., 6.])");
    expect(out.cells[2]!.outputs[0]!.data!["application/vnd.plotly.v1+json"]).toBeTruthy();
  }, 120_000);

  it("a wrong token is a clear error, not a hang", () => {
    const nb = path.join(jupyter.root, "server-run.ipynb");
    const r = gradlab(["run", nb, "--server", baseUrl, "--token", "wrong"], jupyter.env as Record<string, string>);
    expect(r.code).not.toBe(0);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gradlab run: could not start a "gradlab" kernel on http/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
