// interrupt_request on the control channel stops busy loops (before and after an await, and
// inside an async function), pending awaits, long tensor computations and training; earlier
// variables survive and the kernel keeps answering the heartbeat meanwhile. On both backends:
// on WebGPU no signal may stop JavaScript (it would crash inside Dawn), so there the loop checks
// and the library's own checks do all the work. A lean kernel (GRADLAB_LEAN, a classroom's: no
// SIGINT watcher thread) takes the process's own SIGINT listener instead, and must stop the same.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, outputsOf, streamText } from "./support/client.js";

describe.each([
  ["cpu", ""],
  ["webgpu", ""],
  ["cpu", "1"],
] as const)("interrupt on %s (lean: %s)", (backend, lean) => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await KernelClient.start({ env: { GRADLAB_BACKEND: backend, GRADLAB_LEAN: lean, EGL_PLATFORM: process.env.EGL_PLATFORM ?? "surfaceless" } });
    const setup = await kernel.run("const survivor = 41 + 1; let counter = 0;\ngetBackend()");
    expect(setup.reply.content.status).toBe("ok");
    // The backend really is the one under test (no silent fallback).
    expect(outputsOf(setup, "execute_result")[0]!.content.data["text/plain"]).toBe(`'${backend}'`);
  }, 60_000);
  afterAll(() => kernel.stop());

  async function interruptAfter(code: string, delayMs = 400): Promise<Awaited<ReturnType<KernelClient["exchange"]>>> {
    const id = kernel.execute(code);
    // Wait until the cell really runs (execute_input is published just before).
    await kernel.next((m) => m.parent_header.msg_id === id && m.header.msg_type === "execute_input");
    await new Promise((r) => setTimeout(r, delayMs));
    // The heartbeat is answered by the socket thread although the cell keeps the main thread busy.
    expect(await kernel.ping("still alive")).toBe("still alive");
    const interrupt = await kernel.request("control", "interrupt_request", {});
    expect(interrupt.reply.header.msg_type).toBe("interrupt_reply");
    expect(interrupt.reply.content.status).toBe("ok");
    return kernel.exchange(id, 20_000);
  }

  function expectInterrupted(result: Awaited<ReturnType<KernelClient["exchange"]>>): void {
    expect(result.reply.content.status).toBe("error");
    expect(result.reply.content.ename).toBe("InterruptError");
    const errors = outputsOf(result, "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.content.ename).toBe("InterruptError");
  }

  it("stops a synchronous busy loop", async () => {
    expectInterrupted(await interruptAfter("while (true) { counter++; }"));
  });

  it("stops a pending await", async () => {
    expectInterrupted(await interruptAfter("await new Promise(() => {});"));
  });

  it("stops a busy loop that runs after a top-level await", async () => {
    expectInterrupted(await interruptAfter("await new Promise((r) => setTimeout(r, 10));\nwhile (true) { counter++; }"));
  });

  it("stops a busy loop inside an async function after its await", async () => {
    expectInterrupted(await interruptAfter("async function spin() { await null; while (true) { counter++; } }\nawait spin();"));
  });

  it("does not let the cell swallow the interrupt with try/catch", async () => {
    const result = await interruptAfter("for (;;) { try { await new Promise((r) => setTimeout(r, 5)); } catch { console.log('caught'); } }");
    expectInterrupted(result);
  });

  it("stops a long tensor computation", async () => {
    expectInterrupted(await interruptAfter("let m = ones([64, 64]);\nfor (let i = 0; i < 1e9; i++) { m = m.matmul(m).mul(1 / 64); }", 800));
  });

  it("stops a loop of tensor work again and again without harming the kernel", async () => {
    // With signals, about one interrupt in 25 landed inside a native WebGPU call and killed the
    // kernel (FATAL ERROR: napi_define_properties); the delays vary where the loop is hit.
    for (let i = 0; i < 30; i++) {
      expectInterrupted(await interruptAfter("let w = ones([32, 32]);\nwhile (true) { w = w.matmul(w).mul(1 / 32).add(0.001); }", 50 + ((i * 37) % 200)));
    }
  }, 180_000);

  it("stops training, not only the wait for it", async () => {
    const setup = await kernel.run(
      "const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 2));\n" +
        "const spirals = data.spirals({ n: 128, classes: 2, seed: 1 });\nlet steps = 0;",
    );
    expect(setup.reply.content.status).toBe("ok");
    expectInterrupted(await interruptAfter("await train.fit(model, spirals, { epochs: 100000, batchSize: 16, display: false, callbacks: { onBatchEnd: () => { steps++; } } });", 1500));
    const before = await kernel.run("steps");
    await new Promise((r) => setTimeout(r, 600));
    const after = await kernel.run("[steps, model.training]");
    const stepsBefore = Number(outputsOf(before, "execute_result")[0]!.content.data["text/plain"]);
    expect(stepsBefore).toBeGreaterThan(0);
    // No step ran in the background after the interrupted cell, and dropout is off again.
    expect(outputsOf(after, "execute_result")[0]!.content.data["text/plain"]).toBe(`[ ${stepsBefore}, false ]`);
  }, 60_000);

  it("keeps the variables defined before and runs the next cell normally", async () => {
    const after = await kernel.run("console.log(survivor, counter > 0); survivor");
    expect(after.reply.content.status).toBe("ok");
    expect(streamText(after)).toBe("42 true\n");
    expect(outputsOf(after, "execute_result")[0]!.content.data["text/plain"]).toBe("42");
  });

  it("ignores an interrupt that arrives while nothing runs", async () => {
    const interrupt = await kernel.request("control", "interrupt_request", {});
    expect(interrupt.reply.content.status).toBe("ok");
    const next = await kernel.run("await new Promise((r) => setTimeout(r, 20)); 'ran'");
    expect(next.reply.content.status).toBe("ok");
    expect(kernel.badSignatures).toEqual([]);
  });
});
