// oneByte: a script's rare non-Latin-1 characters become \u escapes (so V8 can keep its source at
// one byte per character), and the code means the same.
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./support/kernelspec.js";

const require = createRequire(import.meta.url);
const { oneByte } = require(path.join(REPO, "dist/kernel/engine/cjs-loader.cjs")) as typeof import("../../kernel/engine/cjs-loader.cjs");

describe("oneByte", () => {
  it("escapes characters beyond Latin-1 in strings, templates, regular expressions and names, keeping their meaning", () => {
    const source = [
      "// a comment that doesn’t matter",
      "const s = 'it’s → ok';",
      "const t = `naïve → ${s.length}`;",
      "const r = /[→’]/g;",
      "const ψ = 2;",
      "module.exports = { s, t, hits: (s.match(r) || []).length, psi: ψ, astral: '😀'.length };",
    ].join("\n");
    const escaped = oneByte(source);
    expect([...escaped].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
    const run = (code: string): unknown => {
      const module = { exports: {} };
      new Function("module", code)(module);
      return module.exports;
    };
    expect(run(escaped)).toEqual(run(source));
    expect(run(escaped)).toEqual({ s: "it’s → ok", t: "naïve → 9", hits: 2, psi: 2, astral: 2 });
  });

  it("leaves a source alone when it has nothing to escape, or a backslash right before such a character", () => {
    const latin1 = "const café = 'olé';";
    expect(oneByte(latin1)).toBe(latin1);
    const escapedChar = "const s = '\\→';";
    expect(oneByte(escapedChar)).toBe(escapedChar);
  });
});
