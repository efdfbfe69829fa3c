// Runs cells: TypeScript → (tslab converter) → CommonJS → vm script in the kernel's own context,
// so values keep their identity across cells (instanceof works) and preloaded names are shared.
import vm from "node:vm";
import type { Engine } from "../engine/engine.cjs";
import type { ConvertResult } from "../engine/tslab-types.cjs";
import { CellModules } from "./cell-require.js";
import { CellRegistry } from "./cells.js";
import { GENERATOR_MARK } from "../engine/interruptible.cjs";
import { createAwaiter } from "./awaiter.js";
import { compileError, hasErrors, type ErrorContent } from "./errors.js";
import { guarded } from "./guard.js";
import { runWithSignals } from "./signals.js";
import { InterruptError, isInterrupt, type Interrupts } from "./interrupt.js";
import { installStackMapping } from "./stack.js";
import { trace } from "../log.js";

export type RunResult =
  | { kind: "compile-error"; error: ErrorContent }
  | { kind: "ok"; hasValue: boolean; value: unknown }
  | { kind: "runtime-error"; thrown: unknown };

const CELL = Symbol.for("gradlab.cell");
const HEADERS = {
  sync: "(function (exports, require) {\n",
  // Top-level awaits compiled to yields, stepped by the kernel (interruptible.cts).
  generator: "(function* (exports, require) {\n",
  // `for await` at top level: native async, interruptible only while it waits.
  async: "(async function (exports, require) {\n",
};
// `this` carries the kernel's __awaiter, which TypeScript's emitted helper picks up.
const FOOTER = `\n}).apply(globalThis[Symbol.for("gradlab.cell")].self, globalThis[Symbol.for("gradlab.cell")].args);\n`;
const GENERATOR_PROLOGUE = `"${GENERATOR_MARK}";`;

export class Executor {
  /** Every top-level name of every cell, plus the preloaded library (how the converter links cells). */
  readonly exports: Record<string, unknown>;
  readonly modules: CellModules;
  private readonly cells = new CellRegistry();
  private sequence = 0;
  private readonly self: { __awaiter: ReturnType<typeof createAwaiter> };

  constructor(
    private readonly engine: Engine,
    private readonly interrupts: Interrupts,
    cwd: string,
  ) {
    this.exports = createExports();
    this.modules = new CellModules(cwd);
    this.self = { __awaiter: createAwaiter(interrupts) };
    installStackMapping(this.cells);
  }

  async run(code: string, label: string): Promise<RunResult> {
    const converted = this.engine.convert(code);
    trace(`converted ${label}`);
    if (converted.sideOutputs) this.modules.updateSideOutputs(converted.sideOutputs);
    if (hasErrors(converted.diagnostics)) return { kind: "compile-error", error: compileError(converted.diagnostics, code, label) };
    if (this.interrupts.requested()) return { kind: "runtime-error", thrown: new InterruptError() };
    // Declarations become visible to later cells even if this one fails at run time: names
    // it defined before failing (or before an interrupt) still hold their values.
    this.engine.commit(converted);
    try {
      const value = await this.execute(converted, code, label);
      return value;
    } catch (thrown) {
      return { kind: "runtime-error", thrown };
    }
  }

  private async execute(converted: ConvertResult, code: string, label: string): Promise<RunResult> {
    const output = converted.output ?? "";
    const file = `gradlab:cell-${++this.sequence}`;
    const kind = output.startsWith(GENERATOR_PROLOGUE) ? "generator" : converted.hasToplevelAwait || /\bfor\s+await\b/.test(output) ? "async" : "sync";
    this.cells.register({ label, file, code, headerLines: 1 }, output);
    const script = new vm.Script(HEADERS[kind] + output + FOOTER, { filename: file });
    const globals = globalThis as unknown as Record<symbol, unknown>;
    globals[CELL] = { self: this.self, args: [this.exports, this.modules.require] };
    let returned: unknown;
    try {
      // breakOnSigint: an interrupt stops a synchronous loop in the cell, also in library code.
      returned = runWithSignals((breakOnSigint) => script.runInThisContext({ breakOnSigint }));
    } finally {
      delete globals[CELL];
    }
    if (kind === "generator") await this.drive(returned as Generator<unknown, unknown, unknown>);
    else if (kind === "async") await this.interrupts.race(returned as Promise<unknown>);
    const name = converted.lastExpressionVar;
    if (!name || !(name in this.exports)) return { kind: "ok", hasValue: false, value: undefined };
    const value = this.exports[name];
    delete this.exports[name];
    return { kind: "ok", hasValue: value !== undefined, value };
  }

  /** Steps a cell compiled to a generator: each step guarded, each awaited value raced with interrupts. */
  private async drive(generator: Generator<unknown, unknown, unknown>): Promise<void> {
    let method: "next" | "throw" = "next";
    let input: unknown;
    for (;;) {
      // Even if the cell caught the interrupt error, it ends here.
      if (this.interrupts.isCancelled(this.interrupts.currentEpoch())) throw new InterruptError();
      const step = guarded(() => (method === "next" ? generator.next(input) : generator.throw(input)));
      if (step.done) return;
      try {
        input = await this.interrupts.race(Promise.resolve(step.value));
        method = "next";
      } catch (error) {
        if (isInterrupt(error)) throw error;
        input = error;
        method = "throw";
      }
    }
  }
}

/**
 * TypeScript's CommonJS output defines re-exported names with getters; storing plain values
 * keeps every name assignable by a later cell (tslab does the same).
 */
function createExports(): Record<string, unknown> {
  const target: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  return new Proxy(target, {
    defineProperty(obj, property, attributes) {
      if (property === "__esModule") return true;
      obj[property as string] = attributes.get ? (attributes.get as () => unknown)() : attributes.value;
      return true;
    },
  });
}
