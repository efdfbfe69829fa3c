// Whether interrupts may use a signal: not while the library computes on WebGPU, where stopping
// JavaScript inside a native Dawn call crashes the process.
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO } from "./support/kernelspec.js";

// The compiled modules, as the kernel runs them (the engine's .cts files are CommonJS).
const load = async <T>(file: string): Promise<T> => (await import(path.join(REPO, "dist/kernel", file))) as T;
const { installInterruptChecks } = await load<typeof import("../../kernel/globals.js")>("globals.js");
const { Interrupts, InterruptError } = await load<typeof import("../../kernel/exec/interrupt.js")>("exec/interrupt.js");
const { breakOnSigint, setSignalsSafe } = await load<typeof import("../../kernel/exec/signals.js")>("exec/signals.js");
const { LOOP_CHECK, LOOP_CHECKS_WANTED } = await load<typeof import("../../kernel/engine/interruptible.cjs")>("engine/interruptible.cjs");

afterEach(() => setSignalsSafe(() => true));

describe("interrupt checks", () => {
  it("are compiled into the loops of cells only while signals are unsafe", async () => {
    const { loadTslab } = (await import(path.join(REPO, "dist/kernel/engine/ts-patch.cjs"))) as typeof import("../../kernel/engine/ts-patch.cjs");
    const { Engine } = (await import(path.join(REPO, "dist/kernel/engine/engine.cjs"))) as typeof import("../../kernel/engine/engine.cjs");
    const { enginePaths } = (await import(path.join(REPO, "dist/kernel/main.js"))) as typeof import("../../kernel/main.js");
    const { createRequire } = await import("node:module");
    const engine = new Engine(loadTslab(enginePaths(), createRequire(import.meta.url)), { cwd: REPO, library: null, runtimeNames: [], nodeTypes: null });
    try {
      const code = "let n = 0;\nfor (let i = 0; i < 3; i++) n++;\nwhile (n > 0) { n--; }\ndo { n++; } while (n < 2);\nfor (const x of [1]) n += x;\nfor (const k in { a: 1 }) n += k.length;";
      let wanted = false;
      (globalThis as Record<symbol, unknown>)[LOOP_CHECKS_WANTED] = () => wanted;
      expect(engine.convert(code).output).not.toContain(LOOP_CHECK);
      wanted = true;
      const output = engine.convert(code).output ?? "";
      expect(output.split(`${LOOP_CHECK}()`).length - 1).toBe(5);
    } finally {
      engine.close();
      delete (globalThis as Record<symbol, unknown>)[LOOP_CHECKS_WANTED];
    }
  });

  it("use signals on the CPU backend and never on WebGPU", () => {
    let backend = "cpu";
    installInterruptChecks(new Interrupts(() => 0), { getBackend: () => backend });
    const loopChecksWanted = (globalThis as Record<symbol, unknown>)[LOOP_CHECKS_WANTED] as () => boolean;
    expect([breakOnSigint(), loopChecksWanted()]).toEqual([true, false]);
    backend = "webgpu";
    expect([breakOnSigint(), loopChecksWanted()]).toEqual([false, true]);
    backend = "cpu";
    expect([breakOnSigint(), loopChecksWanted()]).toEqual([true, false]);
  });

  it("give cell loops a check that throws once an interrupt is counted", () => {
    let count = 0;
    const interrupts = new Interrupts(() => count);
    installInterruptChecks(interrupts, null);
    const check = (globalThis as unknown as Record<string, () => void>)[LOOP_CHECK]!;
    interrupts.reset();
    expect(() => check()).not.toThrow();
    count++;
    expect(() => check()).toThrow(InterruptError);
    // The next cell starts afresh.
    interrupts.reset();
    expect(() => check()).not.toThrow();
  });

  it("ignore a SIGINT handled late for an interrupt that arrived while nothing ran", async () => {
    let count = 0;
    const interrupts = new Interrupts(() => count);
    // What the process's SIGINT listener runs.
    const signal = (): void => (interrupts as unknown as { fire(): void }).fire();
    const settlesWithin = (promise: Promise<unknown>): Promise<string> =>
      Promise.race([promise.then(() => "resolved", (e: unknown) => (e instanceof InterruptError ? "interrupted" : "failed")), new Promise<string>((r) => setTimeout(() => r("pending"), 50))]);

    count++; // the worker counts an interrupt while nothing runs…
    interrupts.reset(); // …the next cell starts before the main thread handles the signal…
    const waiting = interrupts.race(new Promise(() => {}));
    signal(); // …and the late signal must not stop that cell.
    expect(interrupts.requested()).toBe(false);
    expect(await settlesWithin(waiting)).toBe("pending");

    count++; // an interrupt of the running cell does stop it
    signal();
    expect(await settlesWithin(waiting)).toBe("interrupted");

    interrupts.reset();
    const next = interrupts.race(new Promise(() => {}));
    signal(); // Ctrl+C in a terminal: a signal with nothing counted
    expect(interrupts.requested()).toBe(true);
    expect(await settlesWithin(next)).toBe("interrupted");
  });
});
