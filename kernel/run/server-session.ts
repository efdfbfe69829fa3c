import { KernelManager, ServerConnection, type Kernel, type KernelMessage } from "@jupyterlab/services";
import { CommandError, type CellOutcome, type Session } from "./session.js";
import type { IOPubMessage } from "../notebook/outputs.js";

/**
 * Runs cells on a gradlab kernel started by a Jupyter Server (`gradlab run --server URL --token T`),
 * through @jupyterlab/services, the client library JupyterLab itself uses.
 */
export class ServerSession implements Session {
  private constructor(private readonly manager: KernelManager, private readonly kernel: Kernel.IKernelConnection) {}

  static async start(baseUrl: string, token: string, kernelName = "gradlab"): Promise<ServerSession> {
    quietServicesDebugLog();
    const url = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
    const settings = ServerConnection.makeSettings({ baseUrl: url, wsUrl: url.replace(/^http/, "ws"), token, appendToken: true });
    const manager = new KernelManager({ serverSettings: settings });
    try {
      await manager.ready;
      const kernel = await manager.startNew({ name: kernelName });
      await kernel.info;
      // Widgets open their models from the kernel; a headless run has no widget manager, so they
      // are taken and left alone (as nbconvert does) instead of being logged as errors.
      kernel.registerCommTarget("jupyter.widget", () => {});
      return new ServerSession(manager, kernel);
    } catch (e) {
      manager.dispose();
      throw new CommandError(`could not start a "${kernelName}" kernel on ${baseUrl}: ${(e as Error).message}. Is the server running, the token right, and the gradlab kernel installed there (gradlab install)?`);
    }
  }

  async execute(code: string, onMessage: (m: IOPubMessage) => void, timeoutMs: number): Promise<CellOutcome> {
    const future = this.kernel.requestExecute({ code, stop_on_error: false, allow_stdin: false });
    future.onIOPub = (msg: KernelMessage.IIOPubMessage) => onMessage({ msg_type: msg.header.msg_type, content: msg.content as unknown as Record<string, unknown> });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void this.kernel.interrupt();
    }, timeoutMs);
    try {
      const reply = await future.done;
      const content = reply.content as { status: string; execution_count?: number | null };
      return { status: timedOut ? "timeout" : content.status === "ok" ? "ok" : "error", executionCount: content.execution_count ?? null };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    try {
      await this.kernel.shutdown();
    } finally {
      this.manager.dispose();
    }
  }
}

/**
 * @jupyterlab/services logs connection and kernel state changes ("Starting WebSocket: …",
 * "Kernel: dead (id)") with console.debug, for a browser's developer console. In `gradlab run`, a
 * command whose output is its report, they would land in the terminal; nothing else in this
 * process uses console.debug (cells run in the server's kernel).
 */
function quietServicesDebugLog(): void {
  console.debug = () => {};
}
