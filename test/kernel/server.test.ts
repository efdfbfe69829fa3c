// The kernel behind a real Jupyter Server (Debian python3-jupyter-server), driven by
// @jupyterlab/services, the client library JupyterLab itself uses.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { freePort } from "../helpers/net.js";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { KernelManager, KernelSpecManager, ServerConnection, type Kernel, type KernelMessage } from "@jupyterlab/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installTestKernelspec, SYSTEM_PYTHON, type TestJupyter } from "./support/kernelspec.js";

interface Run {
  reply: KernelMessage.IExecuteReplyMsg;
  iopub: KernelMessage.IIOPubMessage[];
}

async function execute(kernel: Kernel.IKernelConnection, code: string, onIOPub?: (msg: KernelMessage.IIOPubMessage) => void): Promise<Run> {
  const iopub: KernelMessage.IIOPubMessage[] = [];
  const future = kernel.requestExecute({ code, stop_on_error: true });
  future.onIOPub = (msg) => {
    iopub.push(msg);
    onIOPub?.(msg);
  };
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  return { reply, iopub };
}

function resultText(run: Run): unknown {
  const result = run.iopub.find((m) => m.header.msg_type === "execute_result") as KernelMessage.IExecuteResultMsg | undefined;
  return result?.content.data["text/plain"];
}

describe("Jupyter Server + @jupyterlab/services", () => {
  let jupyter: TestJupyter;
  let server: ChildProcess;
  let serverLog = "";
  let settings: ServerConnection.ISettings;
  let manager: KernelManager;
  let kernel: Kernel.IKernelConnection;

  beforeAll(async () => {
    jupyter = installTestKernelspec();
    const port = await freePort();
    const token = randomUUID();
    const notebooks = path.join(jupyter.root, "notebooks");
    mkdirSync(notebooks, { recursive: true });
    server = spawn(SYSTEM_PYTHON, ["-m", "jupyter_server", "--allow-root", "--no-browser", `--ServerApp.ip=127.0.0.1`, `--ServerApp.port=${port}`, "--ServerApp.port_retries=0", `--ServerApp.token=${token}`, `--ServerApp.root_dir=${notebooks}`], {
      env: jupyter.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout!.on("data", (d: Buffer) => (serverLog += d.toString()));
    server.stderr!.on("data", (d: Buffer) => (serverLog += d.toString()));
    const baseUrl = `http://127.0.0.1:${port}/`;
    settings = ServerConnection.makeSettings({ baseUrl, wsUrl: `ws://127.0.0.1:${port}/`, token, appendToken: true });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`${baseUrl}api/status?token=${token}`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`Jupyter Server did not start:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    manager = new KernelManager({ serverSettings: settings });
    await manager.ready;
  }, 90_000);

  afterAll(async () => {
    manager?.dispose();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null) server.kill("SIGKILL");
    }
    jupyter?.cleanup();
  });

  it("lists the gradlab kernelspec", async () => {
    const specs = new KernelSpecManager({ serverSettings: settings });
    await specs.ready;
    const spec = specs.specs?.kernelspecs["gradlab"];
    expect(spec?.display_name).toBe("TypeScript (gradlab)");
    expect(spec?.language).toBe("typescript");
    expect(Object.keys(spec?.resources ?? {})).toEqual(expect.arrayContaining(["logo-32x32", "logo-64x64", "logo-svg"]));
    specs.dispose();
  });

  it("starts a kernel and executes 1+1", async () => {
    kernel = await manager.startNew({ name: "gradlab" });
    const info = await kernel.info;
    expect(info.implementation).toBe("gradlab");
    expect(info.language_info.name).toBe("typescript");
    const run = await execute(kernel, "1+1");
    expect(run.reply.content.status).toBe("ok");
    expect(resultText(run)).toBe("2");
  }, 60_000);

  it("displays rich output and updates it in place", async () => {
    const run = await execute(kernel, "const survivor = 'kept';\nconst h = display(tensor([1, 2]));\nh.update(tensor([3, 4]));");
    expect(run.reply.content.status).toBe("ok");
    const shown = run.iopub.find((m) => m.header.msg_type === "display_data") as KernelMessage.IDisplayDataMsg;
    expect(shown.content.data["text/html"]).toContain("gradlab-tensor");
    const update = run.iopub.find((m) => m.header.msg_type === "update_display_data") as KernelMessage.IUpdateDisplayDataMsg;
    expect(update.content.transient.display_id).toBe(shown.content.transient!.display_id);
    expect(update.content.data["text/plain"]).toContain("3.");
  });

  it("interrupts a busy cell through the server", async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const pending = execute(kernel, "console.log('spinning');\nwhile (true) {}", (msg) => {
      if (msg.header.msg_type === "stream") started();
    });
    await running;
    await kernel.interrupt();
    const run = await pending;
    expect(run.reply.content.status).toBe("error");
    expect((run.reply.content as KernelMessage.IReplyErrorContent).ename).toBe("InterruptError");
    expect(resultText(await execute(kernel, "survivor"))).toBe("'kept'");
  }, 60_000);

  it("restarts the kernel with fresh state", async () => {
    await kernel.restart();
    const after = await execute(kernel, "typeof (globalThis as any).survivor");
    expect(after.reply.content.status).toBe("ok");
    expect(resultText(after)).toBe("'undefined'");
    expect(after.reply.content.execution_count).toBe(1);
  }, 60_000);

  it("shuts the kernel down", async () => {
    const id = kernel.id;
    await kernel.shutdown();
    const running = await (await fetch(`${settings.baseUrl}api/kernels?token=${settings.token}`)).json() as { id: string }[];
    expect(running.map((k) => k.id)).not.toContain(id);
    expect(kernel.status).toBe("dead");
  }, 60_000);
});
