// Shorthand properties spelled out (kernel/engine/shorthand.cts), and the quick test that lets
// most cells skip the second parse: it may only say "none" when a parse would find none.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type * as TS from "@tslab/typescript-for-tslab";
import { REPO } from "./support/kernelspec.js";

const require = createRequire(import.meta.url);
const { expandShorthandProperties, mayHaveShorthand } = require(path.join(REPO, "dist/kernel/engine/shorthand.cjs")) as typeof import("../../kernel/engine/shorthand.cjs");
const ts = require("@tslab/typescript-for-tslab") as typeof TS;

/** Shorthand properties a real parse finds. */
function shorthandCount(src: string): number {
  let count = 0;
  const visit = (node: TS.Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) count++;
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS));
  return count;
}

const WITH_SHORTHAND = [
  "const p = { W1, b1 };",
  "f({ a })",
  "const q = { x: 1, a };",
  "const r = { ...o, a };",
  "const s = { a, };",
  "const t = {\n  a,\n  b\n};",
  "const u = { /* the weights */ W1 };",
  "const v = { x: 1, // first\n a };",
  "const w = { ü, $dollar, _under };",
  "const x = { \\u0061 };",
  "const y = { π\t};",
  "const z = `${JSON.stringify({ a })}`;",
];

const WITHOUT_SHORTHAND = [
  "1 + 1",
  "const typed1: { name: string; values: number[] } = { name: \"t1\", values: xs.map((v) => v * 1) };",
  "function f(a: number) { return a * 2; }",
  "for (let i = 0; i < 3; i++) { total += i; }",
  "const o = { a: 1, b: [2, 3] };",
  "if (x) { y(); } else { z(); }",
];

describe("shorthand properties", () => {
  it("are spelled out, keeping line numbers", () => {
    expect(expandShorthandProperties(ts, "const p = { W1, b1, inline: 4 };")).toBe("const p = { W1: W1, b1: b1, inline: 4 };");
    expect(expandShorthandProperties(ts, "const t = {\n  a,\n  b\n};\nt")).toBe("const t = {\n  a: a,\n  b: b\n};\nt");
    expect(expandShorthandProperties(ts, "const u = { /* c */ W1 };")).toBe("const u = { /* c */ W1: W1 };");
  });

  it("leave destructuring and cells without them unchanged", () => {
    expect(expandShorthandProperties(ts, "const { a, b } = obj;")).toBe("const { a, b } = obj;");
    for (const src of WITHOUT_SHORTHAND) expect(expandShorthandProperties(ts, src)).toBe(src);
  });

  it("the quick test never misses one a parse finds", () => {
    for (const src of WITH_SHORTHAND) {
      expect(shorthandCount(src), src).toBeGreaterThan(0);
      expect(mayHaveShorthand(src), src).toBe(true);
    }
  });

  it("the quick test agrees with a parse on every code cell of the lessons", () => {
    const dir = path.join(REPO, "notebooks");
    let cells = 0;
    for (const name of readdirSync(dir).filter((n) => n.endsWith(".ipynb"))) {
      const notebook = JSON.parse(readFileSync(path.join(dir, name), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
      for (const cell of notebook.cells.filter((c) => c.cell_type === "code")) {
        const src = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
        cells++;
        if (shorthandCount(src) > 0) expect(mayHaveShorthand(src), `${name}: ${src}`).toBe(true);
      }
    }
    expect(cells).toBeGreaterThan(50);
  });

  it("the quick test lets cells without any skip the parse", () => {
    for (const src of WITHOUT_SHORTHAND) {
      expect(shorthandCount(src), src).toBe(0);
      expect(mayHaveShorthand(src), src).toBe(false);
    }
  });
});
