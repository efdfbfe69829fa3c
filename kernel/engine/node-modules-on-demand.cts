// A few of @types/node's modules are declared only once a cell names them. Every cell's program
// holds all of @types/node, and so does the start-up snapshot, whose restore time grows with the
// number of objects in it: the Chrome DevTools protocol (`inspector`), `http2`, `node:test` and
// eleven more modules that deep-learning notebooks hardly use were a third of @types/node's
// syntax trees and about 35 ms of every kernel's start.
//
// Held back are only files that declare nothing global (each is `declare module "…"` blocks)
// and that no other file of @types/node needs, except process.d.ts's list of the types of
// `process.getBuiltinModule(…)`, whose entry for a held-back module is `any` until it is loaded
// (test/kernel/node-modules-on-demand.test.ts checks both against the installed @types/node).
// So the only other difference a cell can see is an import of such a module, and any mention of
// its name loads it first: the declarations a program has never shrink.
import fs = require("node:fs");

/** The held-back files of @types/node, and the module names each declares. */
export const ON_DEMAND_NODE_MODULES: ReadonlyMap<string, readonly string[]> = new Map([
  ["inspector.generated.d.ts", ["inspector", "node:inspector", "inspector/promises", "node:inspector/promises"]],
  ["http2.d.ts", ["http2", "node:http2"]],
  ["test.d.ts", ["node:test", "node:test/reporters"]],
  ["cluster.d.ts", ["cluster", "node:cluster"]],
  ["https.d.ts", ["https", "node:https"]],
  ["repl.d.ts", ["repl", "node:repl"]],
  ["zlib.d.ts", ["zlib", "node:zlib"]],
  ["v8.d.ts", ["v8", "node:v8"]],
  ["wasi.d.ts", ["wasi", "node:wasi"]],
  ["trace_events.d.ts", ["trace_events", "node:trace_events"]],
  ["domain.d.ts", ["domain", "node:domain"]],
  ["punycode.d.ts", ["punycode", "node:punycode"]],
  ["sea.d.ts", ["node:sea"]],
  ["diagnostics_channel.d.ts", ["diagnostics_channel", "node:diagnostics_channel"]],
]);

const REFERENCE_PATH = /^\/\/\/\s*<reference\s+path=["']([^"']+)["']\s*\/>\s*$/;

/**
 * The @types/node entry (its index.d.ts) as the programs see it: the real file's text without
 * the reference lines of the held-back files that no cell has named yet. The engine serves that
 * text as an in-memory file in place of the file on disk, under the same name, so that every
 * way of reaching @types/node (the engine's own root, `/// <reference types="node" />` in
 * undici-types) finds the same declarations.
 */
export class NodeModulesOnDemand {
  /** How many times a held-back file was loaded; a cell converted before then is converted anew. */
  loads = 0;
  private readonly lines: string[];
  /** The module names of each held-back reference line, by its index in `lines`. */
  private readonly heldBack = new Map<number, readonly string[]>();
  private pattern: RegExp | null;

  private constructor(
    readonly entry: string,
    text: string,
    private readonly virtualFiles: Map<string, string>,
  ) {
    this.lines = text.split("\n");
    this.lines.forEach((line, index) => {
      const target = REFERENCE_PATH.exec(line)?.[1];
      const names = target === undefined ? undefined : ON_DEMAND_NODE_MODULES.get(target.replace(/^(\.\.?\/)+/, ""));
      if (names) this.heldBack.set(index, names);
    });
    this.pattern = this.namesPattern();
    this.publish();
  }

  /**
   * For @types/node's entry file `entry`; null when it cannot be read. `virtualFiles` receives
   * the entry's text (the builder's in-memory files, by path).
   */
  static forEntry(entry: string, virtualFiles: Map<string, string>): NodeModulesOnDemand | null {
    let text: string;
    try {
      text = fs.readFileSync(entry, "utf8");
    } catch {
      return null;
    }
    return new NodeModulesOnDemand(entry, text, virtualFiles);
  }

  /** The module names still held back. */
  get pending(): string[] {
    return [...this.heldBack.values()].flat();
  }

  /**
   * Loads the held-back modules that `source` names in a string (an import, `import("…")`,
   * `require("…")`, `getBuiltinModule("…")`, a module augmentation); true if it loaded any.
   */
  include(source: string): boolean {
    if (!this.pattern) return false;
    this.pattern.lastIndex = 0;
    const named = new Set<string>();
    for (let match = this.pattern.exec(source); match; match = this.pattern.exec(source)) named.add(match[2]!);
    if (named.size === 0) return false;
    for (const [index, names] of this.heldBack) {
      if (names.some((name) => named.has(name))) this.heldBack.delete(index);
    }
    this.pattern = this.namesPattern();
    this.loads++;
    this.publish();
    return true;
  }

  private publish(): void {
    this.virtualFiles.set(this.entry, this.lines.filter((_, index) => !this.heldBack.has(index)).join("\n"));
  }

  private namesPattern(): RegExp | null {
    const names = this.pending;
    if (names.length === 0) return null;
    const escaped = names.sort((a, b) => b.length - a.length).map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
    return new RegExp(`(["'\`])(${escaped.join("|")})\\1`, "g");
  }
}
