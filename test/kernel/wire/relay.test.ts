// The socket relay (kernel/wire/relay.cts) that the kernelspec's launcher starts next to the
// kernel: it holds Jupyter's ports from the start, lives and dies with the kernel, and hands
// the ports back in time for a restart. (The protocol suite also runs through it.)
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../../helpers/net.js";
import { KernelClient, outputsOf, type StartOptions } from "../support/client.js";
import { GRADLAB_BIN, REPO } from "../support/kernelspec.js";
import { kernelArgv } from "../../../kernel/install.js";
const { installId } = (await import(path.join(REPO, "dist/kernel/paths.js"))) as typeof import("../../../kernel/paths.js");

const launcher = kernelArgv(path.dirname(GRADLAB_BIN), installId());
const traced = { GRADLAB_TRACE: "1" };

/** The launcher's child processes whose command line mentions `text`. */
function childrenOf(pid: number, text: string): Array<{ pid: number; args: string[] }> {
  const found = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (ppid === pid && args.some((a) => a.includes(text))) found.push({ pid: Number(entry), args });
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

function relayOf(kernel: KernelClient): { pid: number; dir: string } {
  const [relay] = childrenOf(kernel.pid, "relay.cjs");
  if (!relay) throw new Error(`no socket relay under the launcher ${kernel.pid}`);
  return { pid: relay.pid, dir: relay.args.at(-1)! };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Runs `body` with a kernel started by the launcher, which is stopped afterwards either way. */
async function withLauncherKernel(options: Omit<StartOptions, "argv">, body: (kernel: KernelClient) => Promise<void>): Promise<void> {
  const kernel = await KernelClient.start({ ...options, argv: launcher });
  try {
    await body(kernel);
  } finally {
    await kernel.stop();
  }
}

/** The text/plain result of running `code`. */
async function resultOf(kernel: KernelClient, code: string): Promise<string> {
  return outputsOf(await kernel.run(code), "execute_result")[0]!.content.data["text/plain"];
}

describe.runIf(process.platform === "linux")("the socket relay", () => {
  it("holds Jupyter's ports for the kernel, whose socket worker connects to it instead of binding", async () => {
    await withLauncherKernel({ env: traced }, async (kernel) => {
      const relay = relayOf(kernel);
      const log = kernel.stderr.join("");
      expect(log).toMatch(/[\d.]+ ms: ports bound \(socket relay\)/);
      expect(log).toContain("connected to the socket relay (socket worker)");
      expect(log).not.toContain("sockets bound (socket worker)");
      // Its ipc sockets sit in a folder only this user can open.
      expect(readdirSync(relay.dir).sort()).toEqual(["control", "hb", "iopub", "shell", "stdin"]);
      expect(statSync(relay.dir).mode & 0o077).toBe(0);
      // Cells do not inherit the kernel's own plumbing.
      expect(await resultOf(kernel, "[process.env.GRADLAB_WIRE_RELAY, process.env.GRADLAB_WIRE_RELAY_PID]")).toBe("[ undefined, undefined ]");
    });
  }, 60_000);

  it("ends after the kernel, removes its folder, and a restart binds the same ports at once", async () => {
    const first = await KernelClient.start({ argv: launcher });
    const relay = relayOf(first);
    const r = await first.request("control", "shutdown_request", { restart: true });
    expect(r.reply.content).toEqual({ status: "ok", restart: true });
    // The launcher waits for the relay, so once it has exited the ports are free.
    expect(await first.exited).toBe(0);
    expect(alive(relay.pid)).toBe(false);
    expect(existsSync(relay.dir)).toBe(false);
    const ports = first.ports;
    await first.stop();
    await withLauncherKernel({ ports }, async (second) => {
      expect(await resultOf(second, "1 + 1")).toBe("2");
    });
  }, 60_000);

  it("waits for a port that the kernel it replaces still holds", async () => {
    const shell = await freePort();
    const holder = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen(shell, "127.0.0.1", resolve));
    setTimeout(() => holder.close(), 1500);
    const ports = { shell, control: await freePort(), stdin: await freePort(), iopub: await freePort(), hb: await freePort() };
    await withLauncherKernel({ ports }, async (kernel) => {
      expect(await resultOf(kernel, "2 * 21")).toBe("42");
    });
  }, 60_000);

  it("the kernel ends, saying why, when its relay is gone (nobody could reach it)", async () => {
    await withLauncherKernel({}, async (kernel) => {
      process.kill(relayOf(kernel).pid, "SIGKILL");
      const ended = await Promise.race([kernel.exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10_000))]);
      expect(ended, kernel.stderr.join("")).toBe(true);
      expect(kernel.stderr.join("")).toMatch(/the socket relay \(process \d+\) has ended, so no frontend can reach this kernel; exiting/);
    });
  }, 60_000);

  it("is not in the way of an interrupt sent to the whole process group", async () => {
    await withLauncherKernel({}, async (kernel) => {
      const relay = relayOf(kernel);
      process.kill(relay.pid, "SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(alive(relay.pid)).toBe(true);
      expect(await resultOf(kernel, "'still here'")).toBe("'still here'");
    });
  }, 60_000);
});
