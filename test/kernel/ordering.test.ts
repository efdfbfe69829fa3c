// Outputs vs idle: every output of a cell is published after its `busy` and before its `idle`,
// in the order the cell produced it, over hundreds of pipelined sync and async cells.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, type Message } from "./support/client.js";

describe("output ordering", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await KernelClient.start();
  });
  afterAll(() => kernel.stop());

  it("keeps busy → execute_input → outputs → idle for 300 pipelined cells", async () => {
    const cells: { id: string; expected: string[] }[] = [];
    for (let i = 0; i < 300; i++) {
      let code: string;
      let expected: string[];
      switch (i % 3) {
        case 0: // synchronous
          code = `console.log("a${i}"); console.log("b${i}"); ${i}`;
          expected = [`stream:a${i}\nb${i}\n`, `execute_result:${i}`];
          break;
        case 1: // output after an await, then a display and a result
          code = `console.log("a${i}"); await new Promise((r) => setTimeout(r, 1)); display("d${i}"); console.log("c${i}"); "r${i}"`;
          expected = [`stream:a${i}\n`, `display_data:'d${i}'`, `stream:c${i}\n`, `execute_result:'r${i}'`];
          break;
        default: // an async display bundle must not be overtaken by the output after it
          code = `display({ [Symbol.for("Jupyter.display")]: async () => { await new Promise((r) => setTimeout(r, 2)); return { "text/plain": "slow${i}" }; } }); console.log("after${i}")`;
          expected = [`display_data:slow${i}`, `stream:after${i}\n`];
      }
      cells.push({ id: kernel.execute(code), expected });
    }
    let count = 0;
    for (const cell of cells) {
      const { reply, iopub } = await kernel.exchange(cell.id, 60_000);
      expect(reply.content.status, JSON.stringify(reply.content)).toBe("ok");
      expect(reply.content.execution_count).toBe(++count);
      const types = iopub.map((m) => m.header.msg_type);
      expect(types[0]).toBe("status");
      expect(iopub[0]!.content.execution_state).toBe("busy");
      expect(types[1]).toBe("execute_input");
      expect(types.at(-1)).toBe("status");
      expect(iopub.at(-1)!.content.execution_state).toBe("idle");
      expect(describeOutputs(iopub.slice(2, -1))).toEqual(cell.expected);
    }
    // Nothing for any of these cells arrived after its idle.
    const idleAt = new Map<string, number>();
    kernel.received.forEach((m, i) => {
      if (m.channel === "iopub" && m.header.msg_type === "status" && m.content.execution_state === "idle") idleAt.set(m.parent_header.msg_id!, i);
    });
    kernel.received.forEach((m, i) => {
      if (m.channel === "iopub" && cells.some((c) => c.id === m.parent_header.msg_id)) expect(i).toBeLessThanOrEqual(idleAt.get(m.parent_header.msg_id!)!);
    });
    expect(kernel.badSignatures).toEqual([]);
  }, 120_000);

  // A display whose bundle fails only once it is produced (a value read from the GPU, a figure
  // built asynchronously) was logged to the kernel's stderr and the student saw nothing.
  it("shows a failed async display as an error in its place and fails the cell", async () => {
    const failing = (what: string) => `({ [Symbol.for("Jupyter.display")]: async () => { await new Promise((r) => setTimeout(r, 2)); throw new Error("cannot draw ${what}"); } })`;
    const midCell = await kernel.exchange(kernel.execute(`console.log("before"); display(${failing("mid")}); console.log("after")`));
    expect(midCell.reply.content.status).toBe("error");
    expect(midCell.reply.content.evalue).toBe("cannot draw mid");
    const outputs = midCell.iopub.filter((m) => ["stream", "error", "display_data"].includes(m.header.msg_type));
    expect(outputs.map((m) => (m.header.msg_type === "error" ? `error:${m.content.evalue}` : `${m.header.msg_type}:${m.content.text}`))).toEqual([
      "stream:before\n",
      "error:cannot draw mid",
      "stream:after\n",
    ]);

    const asResult = await kernel.exchange(kernel.execute(failing("result")));
    expect(asResult.reply.content.status).toBe("error");
    expect(asResult.iopub.filter((m) => m.header.msg_type === "error").map((m) => m.content.evalue)).toEqual(["cannot draw result"]);
    expect(asResult.iopub.some((m) => m.header.msg_type === "execute_result")).toBe(false);

    // The kernel goes on, and the failure belongs to that cell only.
    const next = await kernel.exchange(kernel.execute("1 + 1"));
    expect(next.reply.content.status).toBe("ok");
  }, 60_000);
});

/** Merges consecutive stream chunks (the kernel may batch them) into one entry. */
function describeOutputs(messages: Message[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    const type = m.header.msg_type;
    if (type === "stream") {
      const last = out.at(-1);
      if (last?.startsWith("stream:")) out[out.length - 1] = last + m.content.text;
      else out.push(`stream:${m.content.text}`);
    } else out.push(`${type}:${m.content.data["text/plain"]}`);
  }
  return out;
}
