// TypeScript's lib as one file (kernel/engine/lib-bundle.cts): the same declarations in the
// same order as TypeScript's own loading, and cells see the same globals as with the lib files.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine as EngineType } from "../../kernel/engine/engine.cjs";
import { REPO } from "./support/kernelspec.js";

const require = createRequire(import.meta.url);
const { Engine } = require(path.join(REPO, "dist/kernel/engine/engine.cjs")) as typeof import("../../kernel/engine/engine.cjs");
const { loadTslab } = require(path.join(REPO, "dist/kernel/engine/ts-patch.cjs")) as typeof import("../../kernel/engine/ts-patch.cjs");
const { bundleLib } = require(path.join(REPO, "dist/kernel/engine/lib-bundle.cjs")) as typeof import("../../kernel/engine/lib-bundle.cjs");
const { enginePaths, nodeTypesPath } = (await import(path.join(REPO, "dist/kernel/main.js"))) as typeof import("../../kernel/main.js");

describe("lib bundle", () => {
  it("holds the files TypeScript loads for the lib option, in TypeScript's order", () => {
    const ts = loadTslab(enginePaths(), require).ts;
    const options = { lib: ["lib.es2022.d.ts"], noEmit: true };
    const dir = mkdtempSync(path.join(os.tmpdir(), "gradlab-lib-order-"));
    writeFileSync(path.join(dir, "empty.ts"), "export {};\n");
    const program = ts.createProgram({ rootNames: [path.join(dir, "empty.ts")], options });
    rmSync(dir, { recursive: true, force: true });
    const expected = program.getSourceFiles().filter((f) => program.isSourceFileDefaultLibrary(f)).map((f) => path.basename(f.fileName));
    const libDir = path.dirname(ts.getDefaultLibFilePath(options));
    const bundle = bundleLib(libDir, ["es2022"], (name) => ts.libMap?.get(name), ts.libs ?? []);
    const order = [...bundle.text.matchAll(/^\/\/ (lib\.[\w.]+\.d\.ts)$/gm)].map((m) => m[1]);
    expect(expected.length).toBeGreaterThan(40);
    expect(order).toEqual(expected);
    expect(bundle.text).not.toMatch(/<reference lib=/);
  });
});

describe("cells with the lib bundle", () => {
  let engine: EngineType;
  let cwd: string;
  const home = process.cwd();
  beforeAll(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), "gradlab-lib-bundle-test-"));
    // tslab resolves a cell's imports from the working directory, as the kernel runs in the notebook's folder.
    process.chdir(cwd);
    engine = new Engine(loadTslab(enginePaths(), require), { cwd, library: null, runtimeNames: [], nodeTypes: nodeTypesPath() });
  });
  afterAll(() => {
    engine.close();
    process.chdir(home);
    rmSync(cwd, { recursive: true, force: true });
  });

  const errors = (code: string): string[] => {
    const result = engine.convert(code);
    const messages = result.diagnostics.map((d) => d.messageText);
    if (messages.length === 0) engine.commit(result);
    return messages;
  };

  it("see globals from every part of the lib, merged", () => {
    // es5 Array + es2015.iterable + es2022.array; es2021.string; es2022.object; es2021.intl.
    expect(errors("const last: number | undefined = [1, 2, 3].at(-1);\nconst s: string = 'a-b'.replaceAll('-', '+');\nconst own: boolean = Object.hasOwn({ a: 1 }, 'a');\nconst list = new Intl.ListFormat('en').format(['x', 'y']);")).toEqual([]);
    const bad = errors("const bad: string = [1, 2].at(0);");
    expect(bad).toHaveLength(1);
    expect(JSON.stringify(bad[0])).toContain("is not assignable to type 'string'");
    const info = engine.quickInfo("Math.max", 6);
    expect((info?.documentation ?? []).map((d) => d.text).join("")).toMatch(/larger of a set of supplied numeric expressions/);
  });

  it("grows when a file asks for a lib beyond the compiler's (/// <reference lib>)", () => {
    writeFileSync(path.join(cwd, "needs-dom.ts"), '/// <reference lib="dom" />\nexport type Canvas = HTMLCanvasElement;\n');
    expect(errors('import type { Canvas } from "./needs-dom";\nconst c: Canvas | null = null;\nconst d: HTMLCanvasElement | null = c;')).toEqual([]);
  });
});
