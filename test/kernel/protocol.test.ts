// Wire-level behaviour: signatures, heartbeat, stdin, comms in both directions, comm_info,
// control-channel requests and shutdown.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { KernelClient, outputsOf, streamText, type Message } from "./support/client.js";
import { GRADLAB_BIN, REPO } from "./support/kernelspec.js";
import { kernelArgv } from "../../kernel/install.js";
const { installId } = (await import(path.join(REPO, "dist/kernel/paths.js"))) as typeof import("../../kernel/paths.js");

// Both ways a kernel starts: `gradlab kernel`, which binds Jupyter's ports itself, and what
// Jupyter runs (kernel.json's launcher), where the socket relay holds them (wire/relay.cts).
const launches = [
  { way: "gradlab kernel", argv: undefined },
  ...(process.platform === "win32" ? [] : [{ way: "the kernelspec's launcher, through its socket relay", argv: kernelArgv(path.dirname(GRADLAB_BIN), installId()) }]),
];

describe.each(launches)("protocol: $way", ({ argv }) => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await KernelClient.start({ argv });
  });
  afterAll(() => kernel.stop());

  it("drops a message with a bad signature without executing it", async () => {
    const forged = kernel.send("shell", "execute_request", { code: "(globalThis as any).forged = 1", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }, { signWith: "not-the-key" });
    const check = await kernel.run("typeof (globalThis as any).forged");
    expect(outputsOf(check, "execute_result")[0]!.content.data["text/plain"]).toBe("'undefined'");
    expect(kernel.received.some((m) => m.parent_header.msg_id === forged)).toBe(false);
    // The socket worker's log reaches stderr through the main thread asynchronously: wait for it.
    const logged = /dropped a message on shell: invalid HMAC signature/;
    for (let i = 0; i < 100 && !logged.test(kernel.stderr.join("")); i++) await new Promise((r) => setTimeout(r, 50));
    expect(kernel.stderr.join("")).toMatch(logged);
    // Every message the kernel sent carried a valid signature.
    expect(kernel.badSignatures).toEqual([]);
  });

  it("echoes the heartbeat", async () => {
    expect(await kernel.ping("ping-1")).toBe("ping-1");
  });

  it("asks for input over stdin with await input()", async () => {
    const id = kernel.execute("const name = await input('Your name? ');\n`hello ${name.toUpperCase()}`", { allow_stdin: true });
    const request = await kernel.next((m) => m.channel === "stdin" && m.header.msg_type === "input_request");
    expect(request.parent_header.msg_id).toBe(id);
    expect(request.content).toEqual({ prompt: "Your name? ", password: false });
    kernel.send("stdin", "input_reply", { value: "ada" }, { parent: request.header });
    const r = await kernel.exchange(id);
    expect(r.reply.content.status).toBe("ok");
    expect(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).toBe("'hello ADA'");
  });

  it("refuses input() when the frontend does not allow stdin", async () => {
    const r = await kernel.run("await input('x?')", { allow_stdin: false });
    expect(r.reply.content.ename).toBe("StdinNotAllowedError");
  });

  it("lets the frontend open a comm to a target a cell registered, and exchanges messages", async () => {
    const setup = await kernel.run([
      "comms.registerTarget('echo', (comm, data) => {",
      "  comm.send({ opened: data.greeting });",
      "  comm.onMessage((msg) => comm.send({ echo: msg.text }));",
      "  comm.onClose(() => console.log('comm closed by frontend'));",
      "});",
    ].join("\n"));
    expect(setup.reply.content.status).toBe("ok");
    const open = kernel.send("shell", "comm_open", { comm_id: "c-1", target_name: "echo", data: { greeting: "hi" } });
    const opened = await kernel.next((m) => m.header.msg_type === "comm_msg" && m.parent_header.msg_id === open);
    expect(opened.content).toEqual({ comm_id: "c-1", data: { opened: "hi" } });
    const msg = kernel.send("shell", "comm_msg", { comm_id: "c-1", data: { text: "ping" } });
    const echoed = await kernel.next((m) => m.header.msg_type === "comm_msg" && m.parent_header.msg_id === msg);
    expect(echoed.content.data).toEqual({ echo: "ping" });
    const info = await kernel.request("shell", "comm_info_request", { target_name: "echo" });
    expect(info.reply.header.msg_type).toBe("comm_info_reply");
    expect(info.reply.content).toEqual({ status: "ok", comms: { "c-1": { target_name: "echo" } } });
    const close = kernel.send("shell", "comm_close", { comm_id: "c-1", data: {} });
    // comm messages have no reply; their outputs come between busy and idle.
    await kernel.next((m) => m.parent_header.msg_id === close && m.content.execution_state === "idle");
    const closed = { reply: opened, iopub: kernel.received.filter((m) => m.channel === "iopub" && m.parent_header.msg_id === close) };
    expect(streamText(closed)).toBe("comm closed by frontend\n");
    const after = await kernel.request("shell", "comm_info_request", {});
    expect(after.reply.content.comms).toEqual({});
  });

  it("closes a comm opened to an unknown target", async () => {
    const open = kernel.send("shell", "comm_open", { comm_id: "c-2", target_name: "nobody", data: {} });
    const closed = await kernel.next((m) => m.header.msg_type === "comm_close" && m.parent_header.msg_id === open);
    expect(closed.content.comm_id).toBe("c-2");
  });

  it("opens a comm from a cell to the frontend", async () => {
    const r = await kernel.run("const c = comms.open('frontend.target', { hello: 1 });\nc.send({ step: 2 });\nc.close();");
    const types = r.iopub.map((m) => m.header.msg_type).filter((t) => t.startsWith("comm_"));
    expect(types).toEqual(["comm_open", "comm_msg", "comm_close"]);
    const open = outputsOf(r, "comm_open")[0]!;
    expect(open.content).toMatchObject({ target_name: "frontend.target", data: { hello: 1 } });
    expect(outputsOf(r, "comm_msg")[0]!.content).toEqual({ comm_id: open.content.comm_id, data: { step: 2 } });
  });

  it("answers kernel_info on the control channel with busy/idle around it", async () => {
    const r = await kernel.request("control", "kernel_info_request", {});
    expect(r.reply.channel).toBe("control");
    expect(r.reply.content.status).toBe("ok");
    expect(r.iopub.map((m) => m.content.execution_state)).toEqual(["busy", "idle"]);
  });

  it("tells a subscriber that connects late the current state at once: idle after a cell", async () => {
    const done = await kernel.run("1 + 1");
    const status = await firstStatusOfNewSubscriber(kernel);
    expect(status.header.msg_type).toBe("status");
    expect(status.content.execution_state).toBe("idle");
    expect(status.parent_header.msg_id).toBe(done.reply.parent_header.msg_id);
  });

  it("tells a subscriber that connects late the current state at once: busy during a cell", async () => {
    const id = kernel.execute("await new Promise((resolve) => setTimeout(resolve, 1500));");
    await kernel.next((m) => m.channel === "iopub" && m.parent_header.msg_id === id && m.content.execution_state === "busy");
    const status = await firstStatusOfNewSubscriber(kernel);
    expect(status.content.execution_state).toBe("busy");
    expect(status.parent_header.msg_id).toBe(id);
    const { reply } = await kernel.exchange(id);
    expect(reply.content.status).toBe("ok");
  });

  it("shuts down on shutdown_request and exits", async () => {
    const other = await KernelClient.start({ argv });
    const r = await other.request("control", "shutdown_request", { restart: false });
    expect(r.reply.content).toEqual({ status: "ok", restart: false });
    expect(await other.exited).toBe(0);
    await other.stop();
  });

  it("ends with one clear line when the connection file cannot be used", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gradlab-bad-connection-"));
    try {
      const file = path.join(dir, "kernel.json");
      writeFileSync(file, JSON.stringify({ transport: "tcp", ip: "127.0.0.1", key: "k", shell_port: "not a port" }));
      const [command, ...args] = (argv ?? [process.execPath, GRADLAB_BIN, "kernel", "--connection-file", "{connection_file}"]).map((a) => a.replace("{connection_file}", file));
      const run = spawnSync(command!, args, {
        encoding: "utf8",
        env: { ...process.env, GRADLAB_NO_SNAPSHOT: "1" },
        timeout: 60_000,
      });
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toContain(`cannot open the kernel's sockets: ${file}: shell_port must be an integer`);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** Connects a subscriber of its own to the kernel's iopub and returns the first (signed) message. */
async function firstStatusOfNewSubscriber(kernel: KernelClient): Promise<Message> {
  const subscriber = new zmq.Subscriber();
  subscriber.connect(kernel.iopubAddress);
  subscriber.subscribe();
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no status within 5 s of subscribing")), 5000));
    // A message the running cell published while the subscription was on its way (its
    // execute_input, say) may come just before the kernel's greeting: the first status counts.
    for (let k = 0; ; k++) {
      const frames = await Promise.race([subscriber.receive(), timeout]);
      const delimiter = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
      const [signature, header, parent, metadata, content] = frames.slice(delimiter + 1, delimiter + 6).map((f) => f.toString());
      expect(createHmac("sha256", kernel.key).update(header!).update(parent!).update(metadata!).update(content!).digest("hex")).toBe(signature);
      const message: Message = { header: JSON.parse(header!), parent_header: JSON.parse(parent!), metadata: JSON.parse(metadata!), content: JSON.parse(content!), channel: "iopub" };
      if (message.header.msg_type === "status" || k >= 3) return message;
    }
  } finally {
    subscriber.close();
  }
}
