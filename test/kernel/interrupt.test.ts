// interrupt_request on the control channel stops busy loops (before and after an await, and
// inside an async function), pending awaits and long tensor computations; earlier variables
// survive and the kernel keeps answering the heartbeat meanwhile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, outputsOf, streamText } from "./support/client.js";

describe("interrupt", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await KernelClient.start();
    const setup = await kernel.run("const survivor = 41 + 1; let counter = 0;");
    expect(setup.reply.content.status).toBe("ok");
  });
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
