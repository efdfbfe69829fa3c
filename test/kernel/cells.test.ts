// What a cell shows: results, displays and updates, console output of tensors, and errors that
// point at cell lines. The notebook folder is an empty temp folder: no node_modules near it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, outputsOf, streamText } from "./support/client.js";

const ANSI = /\u001b\[/;

describe("cells", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await KernelClient.start();
  });
  afterAll(() => kernel.stop());

  it("shows the last expression as execute_result with the execution count", async () => {
    const r = await kernel.run("const greeting = 'hi';\n({ greeting, n: [1, 2, 3] })");
    expect(r.reply.content.status).toBe("ok");
    const [result] = outputsOf(r, "execute_result");
    expect(result!.content.execution_count).toBe(r.reply.content.execution_count);
    expect(result!.content.data["text/plain"]).toBe("{ greeting: 'hi', n: [ 1, 2, 3 ] }");
    expect(result!.content.data["text/plain"]).not.toMatch(ANSI);
    expect(outputsOf(await kernel.run("let nothing;"), "execute_result")).toHaveLength(0);
  });

  it("re-runs a cell that declares a const", async () => {
    for (const value of [1, 2]) {
      const r = await kernel.run(`const again = ${value};\nagain * 10`);
      expect(r.reply.content.status).toBe("ok");
      expect(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).toBe(String(value * 10));
    }
    const typed = await kernel.run("const doubled: number = again * 2; doubled");
    expect(outputsOf(typed, "execute_result")[0]!.content.data["text/plain"]).toBe("4");
  });

  it("runs cells that use names declared before the earlier declarations were frozen", async () => {
    // One cell with more than FREEZE_AT (4 KB) of declarations: the next commit freezes them.
    const fields = Array.from({ length: 250 }, (_, i) => `field${i}: number;`).join(" ");
    const big = await kernel.run(`const beforeFreeze = 41;\ninterface Wide { ${fields} }\nlet shadowMe = 'old';`);
    expect(big.reply.content.status, JSON.stringify(big.reply.content)).toBe("ok");
    const after = await kernel.run("const bumped: number = beforeFreeze + 1;\nbumped");
    expect(after.reply.content.status, JSON.stringify(after.reply.content)).toBe("ok");
    expect(outputsOf(after, "execute_result")[0]!.content.data["text/plain"]).toBe("42");
    const shadowed = await kernel.run("const shadowMe = [1, 2, 3];\nshadowMe.length + beforeFreeze");
    expect(outputsOf(shadowed, "execute_result")[0]!.content.data["text/plain"]).toBe("44");
    const typed = await kernel.run("const partial: Pick<Wide, 'field7'> = { field7: bumped };\npartial.field7");
    expect(outputsOf(typed, "execute_result")[0]!.content.data["text/plain"]).toBe("42");
  });

  it("preloads gradlab's names with their types, and `import from \"gradlab\"` works", async () => {
    const r = await kernel.run("const t = tensor([[1, 2], [3, 4]]);\nconsole.log(t.shape, typeof zeros, typeof ones);\nt");
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
    expect(streamText(r)).toBe("[ 2, 2 ] function function\n");
    const result = outputsOf(r, "execute_result")[0]!.content.data;
    expect(result["text/plain"]).toContain("tensor(");
    expect(result["text/html"]).toContain("gradlab-tensor");
    const imported = await kernel.run('import { zeros as z } from "gradlab";\nz([3]).shape');
    expect(outputsOf(imported, "execute_result")[0]!.content.data["text/plain"]).toBe("[ 3 ]");
    // The types are real: a wrong argument is a type error, not a run-time surprise.
    const wrong = await kernel.run("const bad: string = tensor([1]).shape;");
    expect(wrong.reply.content.ename).toBe("TSError");
    expect(wrong.reply.content.evalue).toMatch(/number\[\]/);
  });

  it("knows Node's globals without @types/node near the notebook", async () => {
    const r = await kernel.run("console.log(typeof process.version, Buffer.from('ab').length)");
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
    expect(streamText(r)).toBe("string 2\n");
  });

  it("console.log prints a tensor's values, and displayables with an async bundle in order", async () => {
    const r = await kernel.run([
      "const slow = { [Symbol.for('Jupyter.display')]: async () => { await new Promise((r) => setTimeout(r, 20)); return { 'text/plain': 'SLOW' }; } };",
      "console.log('first', tensor([1, 2]));",
      "console.log(slow);",
      "console.log('last');",
    ].join("\n"));
    expect(streamText(r)).toBe("first tensor([1., 2.])\nSLOW\nlast\n");
    expect(streamText(r)).not.toMatch(ANSI);
  });

  it("display, display with an id replaced in the same cell, handle.update and clearOutput", async () => {
    const r = await kernel.run([
      "display('one');",
      "display(1, { id: 'progress' });",
      "display(2, { id: 'progress' });",
      "const h = display('x');",
      "h.update('y');",
      "clearOutput({ wait: true });",
      "h",
    ].join("\n"));
    expect(r.reply.content.status).toBe("ok");
    const types = r.iopub.slice(2, -1).map((m) => `${m.header.msg_type}:${m.content.data?.["text/plain"] ?? ""}`);
    expect(types).toEqual(["display_data:'one'", "display_data:1", "update_display_data:2", "display_data:'x'", "update_display_data:'y'", "clear_output:"]);
    const progress = outputsOf(r, "display_data")[1]!;
    expect(progress.content.transient.display_id).toBe("progress");
    expect(outputsOf(r, "update_display_data")[0]!.content.transient.display_id).toBe("progress");
    expect(outputsOf(r, "clear_output")[0]!.content.wait).toBe(true);
    // A display handle as last value is not echoed.
    expect(outputsOf(r, "execute_result")).toHaveLength(0);
  });

  it("uses an object's async Jupyter.display bundle as its result", async () => {
    const r = await kernel.run("({ [Symbol.for('Jupyter.display')]: async () => ({ 'text/html': '<i>rich</i>', 'text/plain': '\\u001b[31mred\\u001b[0m' }) })");
    const data = outputsOf(r, "execute_result")[0]!.content.data;
    expect(data["text/html"]).toBe("<i>rich</i>");
    expect(data["text/plain"]).toBe("red");
  });

  it("reports type errors with line, column and a caret", async () => {
    const r = await kernel.run("const a = 1;\nconst s: string = a;");
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.ename).toBe("TSError");
    const [error] = outputsOf(r, "error");
    expect(error!.content.traceback).toEqual([
      `In[${r.reply.content.execution_count}], line 2, column 7: error TS2322: Type 'number' is not assignable to type 'string'.`,
      "  1 | const a = 1;",
      "> 2 | const s: string = a;",
      "    |       ^",
    ]);
  });

  it("tells IPython users that magics and shell escapes are not TypeScript", async () => {
    for (const code of ["%timeit 1 + 1", "!pip install numpy", "const n = 1;\n%%time"]) {
      const r = await kernel.run(code);
      expect(r.reply.content.ename).toBe("TSError");
      expect(outputsOf(r, "error")[0]!.content.traceback.at(-1)).toMatch(/^Hint: cells are TypeScript, so IPython's magics \(%timeit\) and shell escapes \(!ls\) do not exist here/);
    }
    // A cell whose error is elsewhere gets no such hint, nor does a valid negation.
    const other = await kernel.run("const ok = true;\n!ok;\nconst s: string = 1;");
    expect(outputsOf(other, "error")[0]!.content.traceback.join("\n")).not.toMatch(/Hint/);
  });

  it("maps runtime stack traces to cell lines and drops kernel frames", async () => {
    const def = await kernel.run("// a helper\nfunction explode(x: number): number {\n  if (x > 1) throw new RangeError(`too big: ${x}`);\n  return x;\n}");
    const defCount = def.reply.content.execution_count;
    const r = await kernel.run("const ok = explode(1);\nexplode(2);");
    const count = r.reply.content.execution_count;
    expect(r.reply.content.ename).toBe("RangeError");
    expect(r.reply.content.evalue).toBe("too big: 2");
    const traceback = (r.reply.content.traceback as string[]).join("\n");
    expect(traceback).toContain(`at explode (In[${defCount}]:3:20)`);
    expect(traceback).toContain(`at In[${count}]:2:1`);
    expect(traceback).toContain(`In[${defCount}], line 3:`);
    expect(traceback).toContain(">   3 |   if (x > 1) throw new RangeError(`too big: ${x}`);".replace(">   3", "> 3"));
    expect(traceback).not.toMatch(/dist\/kernel|node:internal|gradlab:cell|gradlab:guard/);
    expect(outputsOf(r, "error")).toHaveLength(1);
  });

  it("names the library's own files in frames of a library error (not its bundle)", async () => {
    const r = await kernel.run("tensor([1, 2, 3]).reshape([2, 2]);");
    expect(r.reply.content.ename).toBe("ShapeError");
    const traceback = (r.reply.content.traceback as string[]).join("\n");
    const frame = /\((file:\/\/\S+\/dist\/lib\/\S+\.js):(\d+):(\d+)\)/.exec(traceback);
    expect(frame, traceback).not.toBeNull();
    // The named line is where the library throws the error.
    const line = readFileSync(fileURLToPath(frame![1]!), "utf8").split("\n")[Number(frame![2]) - 1];
    expect(line).toMatch(/throw|ShapeError/);
    expect(traceback).not.toContain("lib-bundle");
  });

  it("reports a thrown non-Error value", async () => {
    const r = await kernel.run("throw { code: 7 };");
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.ename).toBe("Uncaught");
    expect(r.reply.content.evalue).toBe("{ code: 7 }");
  });

  it("fails the running cell on an unhandled rejection, and lives on", async () => {
    const r = await kernel.run("Promise.reject(new TypeError('nobody caught me'));\nawait new Promise((r) => setTimeout(r, 200));");
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.ename).toBe("TypeError");
    expect(r.reply.content.evalue).toBe("nobody caught me");
  });

  it("reports a late throw from a timer after its cell finished, keeping state", async () => {
    const r = await kernel.run("const kept = 'state';\nsetTimeout(() => { throw new Error('late'); }, 50);");
    expect(r.reply.content.status).toBe("ok");
    const late = await kernel.next((m) => m.header.msg_type === "error" && m.parent_header.msg_id === r.reply.parent_header.msg_id);
    expect(late.content.evalue).toBe("late");
    expect(late.content.traceback.join("\n")).toContain("after its cell had finished");
    const after = await kernel.run("kept");
    expect(outputsOf(after, "execute_result")[0]!.content.data["text/plain"]).toBe("'state'");
  });

  it("aborts queued cells after an error when stop_on_error is set, and only then", async () => {
    const ids = [kernel.execute("1"), kernel.execute("throw new Error('stop')"), kernel.execute("globalThis.ranAfter = true")];
    const [first, failed, aborted] = await Promise.all(ids.map((id) => kernel.exchange(id)));
    expect(first!.reply.content.status).toBe("ok");
    expect(failed!.reply.content.status).toBe("error");
    expect(aborted!.reply.content.status).toBe("error");
    expect(aborted!.reply.content.ename).toBe("ExecutionAborted");
    expect(outputsOf(aborted!, "execute_input")).toHaveLength(0);
    const check = await kernel.run("(globalThis as any).ranAfter === true");
    expect(outputsOf(check, "execute_result")[0]!.content.data["text/plain"]).toBe("false");

    const more = [kernel.execute("throw new Error('go on')", { stop_on_error: false }), kernel.execute("'still ran'")];
    const [, next] = await Promise.all(more.map((id) => kernel.exchange(id)));
    expect(next!.reply.content.status).toBe("ok");
  });

  it("evaluates user_expressions and keeps silent cells quiet", async () => {
    const r = await kernel.run("const base = 20;", { user_expressions: { doubled: "base * 2", broken: "nope.x" } });
    expect(r.reply.content.user_expressions.doubled).toEqual({ status: "ok", data: { "text/plain": "40" }, metadata: {} });
    expect(r.reply.content.user_expressions.broken.status).toBe("error");
    const silent = await kernel.run("console.log('side effect'); 5", { silent: true });
    expect(outputsOf(silent, "execute_input")).toHaveLength(0);
    expect(outputsOf(silent, "execute_result")).toHaveLength(0);
    expect(silent.reply.content.execution_count).toBe(r.reply.content.execution_count);
  });

  it("completes with TypeScript and counts the cursor in code points", async () => {
    const code = "const face = '😀😀'; face.toUpperC";
    const r = await kernel.request("shell", "complete_request", { code, cursor_pos: [...code].length });
    expect(r.reply.content.status).toBe("ok");
    expect(r.reply.content.matches).toContain("toUpperCase");
    expect(r.reply.content.cursor_end).toBe([...code].length);
    expect(r.reply.content.cursor_start).toBe([...code].length - "toUpperC".length);
  });

  it("inspects with types and gradlab's JSDoc, also inside a call", async () => {
    const r = await kernel.request("shell", "inspect_request", { code: "tensor(", cursor_pos: 7, detail_level: 0 });
    expect(r.reply.content.found).toBe(true);
    const text = r.reply.content.data["text/plain"] as string;
    expect(text).toMatch(/^tensor\(data: /);
    expect(text).not.toContain("import tensor");
    expect(text).toMatch(/tensor from a number/i);
    expect(r.reply.content.data["text/markdown"]).toContain("```typescript");
  });

  it("answers is_complete with complete, incomplete and invalid", async () => {
    const ask = async (code: string) => (await kernel.request("shell", "is_complete_request", { code })).reply.content;
    expect(await ask("const x = 1;")).toEqual({ status: "complete" });
    expect(await ask("function f() {")).toMatchObject({ status: "incomplete" });
    expect((await ask("if (x) {\n  foo(")).indent).toBe("    ");
    expect(await ask("const = ;")).toEqual({ status: "invalid" });
  });

  it("answers history requests: tail, range and search", async () => {
    await kernel.run("'history-marker-1'");
    await kernel.run("'history-marker-2'");
    const tail = (await kernel.request("shell", "history_request", { hist_access_type: "tail", n: 2, output: true, raw: true })).reply.content.history;
    expect(tail.map((h: unknown[]) => h[2])).toEqual([["'history-marker-1'", "'history-marker-1'"], ["'history-marker-2'", "'history-marker-2'"]]);
    const [session, line] = tail[0];
    const range = (await kernel.request("shell", "history_request", { hist_access_type: "range", session, start: line, stop: line + 1, output: false, raw: true })).reply.content.history;
    expect(range).toEqual([[session, line, "'history-marker-1'"]]);
    const search = (await kernel.request("shell", "history_request", { hist_access_type: "search", pattern: "'history-marker-?'", n: 10, unique: true, output: false, raw: true })).reply.content.history;
    expect(search.map((h: unknown[]) => h[2])).toEqual(["'history-marker-1'", "'history-marker-2'"]);
  });

  it("reports the real TypeScript version and the backend in kernel_info", async () => {
    const r = await kernel.request("shell", "kernel_info_request", {});
    const info = r.reply.content;
    expect(info.status).toBe("ok");
    expect(info.protocol_version).toBe("5.3");
    expect(info.implementation).toBe("gradlab");
    expect(info.language_info.name).toBe("typescript");
    expect(info.language_info.version).toMatch(/^5\.\d+\.\d+$/);
    expect(info.banner).toMatch(/Backend: (cpu|webgpu)/);
    expect(kernel.badSignatures).toEqual([]);
  });
});
