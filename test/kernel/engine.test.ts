// The TypeScript engine on its own (no kernel process): cross-cell declarations stay correct
// through shadowing and hundreds of cells, with the kernel's reuse of the declarations file.
import fs, { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Engine as EngineType } from "../../kernel/engine/engine.cjs";
import { REPO } from "./support/kernelspec.js";

const require = createRequire(import.meta.url);
const { Engine } = require(path.join(REPO, "dist/kernel/engine/engine.cjs")) as typeof import("../../kernel/engine/engine.cjs");
const { FREEZE_AT } = require(path.join(REPO, "dist/kernel/engine/declaration-chunks.cjs")) as typeof import("../../kernel/engine/declaration-chunks.cjs");
const { loadTslab } = require(path.join(REPO, "dist/kernel/engine/ts-patch.cjs")) as typeof import("../../kernel/engine/ts-patch.cjs");
const { enginePaths, nodeTypesPath } = (await import(path.join(REPO, "dist/kernel/main.js"))) as typeof import("../../kernel/main.js");

/** An engine with gradlab's library preloaded, in a fresh notebook folder. */
function libraryEngine(folderPrefix: string, freezeAt: number | undefined): { engine: EngineType; cwd: string } {
  const cwd = mkdtempSync(path.join(os.tmpdir(), folderPrefix));
  const js = path.join(REPO, "dist/lib/index.js");
  const engine = new Engine(loadTslab(enginePaths(), require), { cwd, library: { js, dts: js.replace(/\.js$/, ".d.ts") }, runtimeNames: [], nodeTypes: nodeTypesPath(), freezeAt });
  return { engine, cwd };
}

/**
 * A library engine for one describe block: made before its tests, closed (its folder removed)
 * after them. `cell` converts a cell with it, as cellErrors does.
 */
function useLibraryEngine(folderPrefix: string, freezeAt: number | undefined): { readonly engine: EngineType; cell(code: string): string[] } {
  let made: { engine: EngineType; cwd: string } | undefined;
  beforeAll(() => {
    made = libraryEngine(folderPrefix, freezeAt);
  });
  afterAll(() => {
    if (!made) return;
    made.engine.close();
    rmSync(made.cwd, { recursive: true, force: true });
  });
  const current = (): EngineType => {
    if (!made) throw new Error("the engine is made in beforeAll; use it inside a test");
    return made.engine;
  };
  return {
    get engine() {
      return current();
    },
    cell: (code) => cellErrors(current(), code),
  };
}

/** Converts a cell; returns its error messages (and keeps its declarations when there are none). */
function cellErrors(engine: EngineType, code: string): string[] {
  const result = engine.convert(code);
  const errors = result.diagnostics.filter((d) => d.category === 1).map((d) => d.messageText);
  if (errors.length === 0) engine.commit(result);
  return errors;
}

// Earlier cells' declarations are frozen into files of their own once they pass a few
// kilobytes (declaration-chunks.cts); with `freezeAt: 0` every cell's are, so each test also
// runs with its names spread over as many files as it has cells.
describe.each([
  { freezeAt: undefined, label: "recent declarations in one file" },
  { freezeAt: 0, label: "every cell's declarations frozen" },
])("engine ($label)", ({ freezeAt }) => {
  const lab = useLibraryEngine("gradlab-engine-test-", freezeAt);
  const cell = lab.cell;

  it("keeps the other names of a statement when one of them is redeclared", () => {
    expect(cell("let a = 1, b = 2;")).toEqual([]);
    expect(cell("const a = 'x';")).toEqual([]);
    expect(cell("const n: number = b + 1;\nconst s: string = a.toUpperCase();")).toEqual([]);
    expect(cell("const wrong: number = a;")).toEqual(["Type 'string' is not assignable to type 'number'."]);
  });

  it("replaces a redeclared interface and keeps documentation of earlier functions", () => {
    expect(cell("/** Adds one to its argument. */\nfunction inc(x: number): number { return x + 1; }")).toEqual([]);
    expect(cell("interface P { x: number }")).toEqual([]);
    expect(cell("interface P { y: string }\nconst p: P = { y: 'a' };")).toEqual([]);
    for (let i = 0; i < 5; i++) expect(cell(`${i} + inc(${i})`)).toEqual([]);
    const info = lab.engine.quickInfo("inc", 1);
    expect((info?.documentation ?? []).map((d) => d.text).join("")).toBe("Adds one to its argument.");
  });

  it("lets a cell shadow a preloaded name without losing the others", () => {
    expect(cell("const zeros = 5;\nconst z: number = zeros + 1;")).toEqual([]);
    expect(cell("const o = ones([2]);\nconst shape: readonly number[] = o.shape;")).toEqual([]);
  });

  it("loads @types/node in the variant for its TypeScript version, once", () => {
    expect(cell("const buf = Buffer.from('ab');\nconst view: Uint8Array = buf;")).toEqual([]);
    expect(cell("buf.length + view.byteLength")).toEqual([]);
    const program = (lab.engine as unknown as { latestProgram: { getSourceFiles(): { fileName: string }[] } }).latestProgram;
    const nodeFiles = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.includes("/@types/node/"));
    // tslab's TypeScript is older than 5.7: @types/node maps it to its ts5.6/ folder, which
    // replaces two of its files; loading both variants declared Buffer twice.
    expect(nodeFiles.filter((f) => f.endsWith("/ts5.6/index.d.ts"))).toHaveLength(1);
    expect(nodeFiles.filter((f) => f.endsWith("/buffer.buffer.d.ts"))).toHaveLength(1);
    expect(nodeFiles.filter((f) => f.endsWith("/globals.typedarray.d.ts"))).toHaveLength(1);
  });

  it("keeps type references in the declarations of Node-typed values (built on first use)", () => {
    const result = lab.engine.convert("const stamp = Buffer.from('x');");
    expect(result.diagnostics).toEqual([]);
    expect(result.declOutput).toContain('/// <reference types="node" />');
    expect(result.declOutput).toContain("declare const stamp: Buffer;");
  });

  // tslab fails such cells with TS4023 ("Exported variable 'fs' … cannot be named"): an error
  // of the declarations it writes to carry names across cells, not of the student's code.
  it("runs cells whose values' types declaration emit cannot name, and later cells still see them", () => {
    expect(cell('const fsm = await import("node:fs");')).toEqual([]);
    expect(cell('const seen: boolean = fsm.existsSync("/");')).toEqual([]);
    expect(cell("const wrong: number = fsm.existsSync('/');")).toEqual(["Type 'boolean' is not assignable to type 'number'."]);
    expect(cell("function make() { class Hidden { private secret = 1; size = 2; } return new Hidden(); }\nconst made = make();")).toEqual([]);
    expect(cell("made")).toEqual([]);
    // Real errors in such a cell still stop it.
    expect(cell('const fsn = await import("node:fs");\nconst bad: string = 1;')).toEqual(["Type 'number' is not assignable to type 'string'."]);
  });

  it("stays correct over 300 cells of mixed declarations", () => {
    for (let i = 0; i < 300; i++) {
      const code = i % 3 === 0 ? `const v${i}: number[] = [${i}];` : i % 3 === 1 ? `function f${i}(x: number): number { return x + v${i - 1}[0]!; }` : `type T${i} = { k: number };\nconst t${i}: T${i} = { k: f${i - 1}(1) };`;
      expect(cell(code), code).toEqual([]);
    }
    expect(cell("const total: number = v297[0]! + f298(1) + t299.k;")).toEqual([]);
    expect(cell("const bad: string = t299.k;")).toHaveLength(1);
    // The recent declarations stay short however long the notebook: older ones were frozen.
    const program = (lab.engine as unknown as { latestProgram: { getSourceFiles(): { fileName: string; text: string }[] } }).latestProgram;
    const frozen = program.getSourceFiles().filter((f) => /__prev_\d+__\.d\.ts$/.test(f.fileName));
    expect(frozen.length).toBeGreaterThan(freezeAt === 0 ? 300 : 2);
    const head = program.getSourceFiles().find((f) => f.fileName.endsWith("/__prev__.d.ts"))!;
    expect(head.text.length).toBeLessThan(freezeAt === 0 ? 200 : FREEZE_AT + 200);
  });

  it("reads names that start with two underscores", () => {
    expect(cell("const __hidden = 2;")).toEqual([]);
    const result = lab.engine.convert("__hidden * 3");
    expect(result.diagnostics).toEqual([]);
    expect(result.output).toContain("exports.__hidden * 3");
  });
});

describe("engine with frozen declarations", () => {
  const lab = useLibraryEngine("gradlab-engine-frozen-", 0);
  const cell = lab.cell;

  it("keeps a value's type when its interface is redefined, and can still name that type", () => {
    expect(cell("interface Point { x: number }")).toEqual([]);
    expect(cell("const p: Point = { x: 1 };")).toEqual([]);
    expect(cell("interface Point { x: number; y: number }")).toEqual([]);
    // `p` was made without `y`: it keeps the type it was declared with.
    expect(cell("p.y")).toEqual(["Property 'y' does not exist on type 'Point'."]);
    // A value inferred from it is declared with the old type, named through its frozen file.
    const copy = lab.engine.convert("const q = p;");
    expect(copy.diagnostics).toEqual([]);
    expect(copy.declOutput).toMatch(/declare const q: import\("\.\/__prev_\d+__"\)\.Point;/);
    lab.engine.commit(copy);
    expect(cell("const n: number = q.x;\nconst r: Point = { x: 1, y: 2 };\nconst both = [q, r];")).toEqual([]);
    expect(cell("const m: number = both[1]!.x + r.y;")).toEqual([]);
  });

  it("reads earlier names through `exports` at run time, wherever they were declared", () => {
    expect(cell("const early = 1;")).toEqual([]);
    expect(cell("class Box { size = 2 }")).toEqual([]);
    const result = lab.engine.convert("const late = early + new Box().size + tensor([1]).size;");
    expect(result.diagnostics).toEqual([]);
    expect(result.output).toContain("exports.early + new exports.Box().size + exports.tensor([1]).size");
  });

  it("shadows a frozen name by meaning: a new value leaves the old type in place", () => {
    expect(cell("const again = 1;")).toEqual([]);
    expect(cell("const again = 'now a string';")).toEqual([]);
    expect(cell("const upper: string = again.toUpperCase();")).toEqual([]);
    expect(cell("class Shape { sides = 3 }\nconst tri = new Shape();")).toEqual([]);
    expect(cell("const Shape = 5;")).toEqual([]);
    expect(cell("const s: Shape = tri;\nconst six: number = Shape + 1;")).toEqual([]);
  });

  it("completes and describes names from frozen files", () => {
    expect(cell("/** How many apples. */\nconst appleCount = 3;")).toEqual([]);
    expect(cell("const other = 1;")).toEqual([]);
    const completion = lab.engine.complete("appl", 4);
    expect(completion.candidates).toContain("appleCount");
    expect(completion.start).toBe(0);
    const info = lab.engine.quickInfo("appleCount", 2);
    expect((info?.documentation ?? []).map((d) => d.text).join("")).toBe("How many apples.");
    expect((info?.displayParts ?? []).map((d) => d.text).join("")).toBe("const appleCount: 3");
  });
});

describe("engine reusing a cell's conversion when it runs again", () => {
  it("reuses it while nothing it reads has changed: earlier declarations, watched files", async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), "gradlab-engine-reuse-"));
    const engine = new Engine(loadTslab(enginePaths(), require), { cwd, library: null, runtimeNames: [], nodeTypes: nodeTypesPath() });
    const cell = (code: string) => {
      const result = engine.convert(code);
      if (result.diagnostics.length === 0) engine.commit(result);
      return result;
    };
    try {
      fs.writeFileSync(path.join(cwd, "helper.ts"), "export function h(x: number): number { return x + 1; }\n");
      expect(cell('import { h } from "./helper";').diagnostics).toEqual([]);
      const first = engine.convert("h(1) * 2");
      expect(first.diagnostics).toEqual([]);
      expect(engine.convert("h(1) * 2")).toBe(first);
      // A new declaration: the same code is converted anew (it may now mean something else).
      expect(cell("const h2 = 5;").diagnostics).toEqual([]);
      const second = engine.convert("h(1) * 2");
      expect(second).not.toBe(first);
      expect(engine.convert("h(1) * 2")).toBe(second);
      // A cell that imports is always converted anew.
      expect(engine.convert('import { h as g } from "./helper";\ng(1)')).not.toBe(engine.convert('import { h as g } from "./helper";\ng(1)'));
      // The module changes on disk: once the watcher reports it, the cell sees the new types.
      fs.writeFileSync(path.join(cwd, "helper.ts"), "export function h(x: string): string { return x; }\n");
      let after = engine.convert("h(1) * 2");
      for (let i = 0; i < 200 && after.diagnostics.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        after = engine.convert("h(1) * 2");
      }
      expect(after.diagnostics.map((d) => String(d.messageText))).toContain("Argument of type 'number' is not assignable to parameter of type 'string'.");
    } finally {
      engine.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 30_000);
});

describe("engine with pinned files (as restored from the start-up snapshot)", () => {
  it("takes their imports as resolved when they were pinned, without probing the disk again", () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), "gradlab-engine-pinned-"));
    const js = path.join(REPO, "dist/lib/index.js");
    const library = { js, dts: js.replace(/\.js$/, ".d.ts") };
    const tslab = loadTslab(enginePaths(), require);
    let program: import("@tslab/typescript-for-tslab").Program | null = null;
    const first = new Engine(tslab, { cwd, library, runtimeNames: [], nodeTypes: nodeTypesPath(), onProgram: (p) => (program = p) });
    expect(first.convert("1+1").diagnostics).toEqual([]);
    first.close();
    // What prepare.cts pins: declarations on disk, outside the notebook folder.
    const pinnedFiles = new Map(program!.getSourceFiles().filter((f) => f.isDeclarationFile && !f.fileName.startsWith(cwd) && fs.existsSync(f.fileName)).map((f) => [f.fileName, f]));
    expect(pinnedFiles.has(library.dts)).toBe(true);
    // gradlab's declarations import each other as "./x.js"; resolving one probes x.ts first.
    const libDir = path.dirname(js);
    const stat = vi.spyOn(fs, "statSync");
    try {
      const second = new Engine(tslab, { cwd, library, runtimeNames: [], nodeTypes: nodeTypesPath(), pinnedFiles });
      const result = second.convert("const t: Tensor = tensor([1, 2]);\nt.shape");
      second.close();
      expect(result.diagnostics).toEqual([]);
      // The notebook's own import of the library (from its declarations file) is resolved as usual.
      const notebookImport = new Set([path.join(libDir, "index.ts"), path.join(libDir, "index.tsx")]);
      const probes = stat.mock.calls.map(([file]) => String(file)).filter((file) => file.startsWith(libDir) && /\.tsx?$/.test(file) && !file.endsWith(".d.ts") && !notebookImport.has(file));
      expect(probes).toEqual([]);
    } finally {
      stat.mockRestore();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe("engine in a folder with its own node_modules", () => {
  it("uses the folder's @types/node (another version) without conflicts, and gradlab still type-checks", () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), "gradlab-engine-nm-"));
    try {
      // tslab depends on @types/node 18; gradlab's own is 20.
      const tslabTypes = path.join(path.dirname(require.resolve("tslab/package.json")), "node_modules", "@types", "node");
      mkdirSync(path.join(cwd, "node_modules", "@types"), { recursive: true });
      symlinkSync(tslabTypes, path.join(cwd, "node_modules", "@types", "node"));
      const js = path.join(REPO, "dist/lib/index.js");
      const engine = new Engine(loadTslab(enginePaths(), require), { cwd, library: { js, dts: js.replace(/\.js$/, ".d.ts") }, runtimeNames: [], nodeTypes: nodeTypesPath() });
      try {
        const result = engine.convert("console.log(process.version, Buffer.from('x'));\nconst t = tensor([1, 2]);\nconst n: number = t.size;");
        expect(result.diagnostics.map((d) => d.messageText)).toEqual([]);
      } finally {
        engine.close();
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe("engine's automatic @types: the notebook's, not gradlab's own", () => {
  /** A package folder with a dev tool's types declaring a global, and a notebooks folder in it. */
  function packageWithDevTypes(): { root: string; notebooks: string; devTypes: string } {
    const root = mkdtempSync(path.join(os.tmpdir(), "gradlab-engine-own-types-"));
    const devTypes = path.join(root, "node_modules", "@types");
    mkdirSync(path.join(devTypes, "devtool"), { recursive: true });
    fs.writeFileSync(path.join(devTypes, "devtool", "package.json"), JSON.stringify({ name: "@types/devtool", version: "1.0.0", types: "index.d.ts" }));
    fs.writeFileSync(path.join(devTypes, "devtool", "index.d.ts"), "declare const devToolGlobal: number;\n");
    const notebooks = path.join(root, "notebooks");
    mkdirSync(notebooks);
    return { root, notebooks, devTypes };
  }

  function errorsIn(cwd: string, ownTypeRoots: string[] | undefined, code: string): string[] {
    const engine = new Engine(loadTslab(enginePaths(), require), { cwd, library: null, runtimeNames: [], nodeTypes: nodeTypesPath(), ownTypeRoots });
    try {
      return engine.convert(code).diagnostics.map((d) => String(d.messageText));
    } finally {
      engine.close();
    }
  }

  it("a notebook inside gradlab (the lessons) does not see gradlab's dev types, and still has Node's", () => {
    const { root, notebooks, devTypes } = packageWithDevTypes();
    try {
      expect(errorsIn(notebooks, [devTypes], "devToolGlobal + 1")).toEqual(["Cannot find name 'devToolGlobal'."]);
      expect(errorsIn(notebooks, [devTypes], "console.log(process.version, Buffer.from('x'));")).toEqual([]);
      // The same folder in someone's own project: its @types are the notebook's.
      expect(errorsIn(notebooks, undefined, "devToolGlobal + 1")).toEqual([]);
      // gradlab as a dependency of that project: its own @types folder is elsewhere.
      expect(errorsIn(notebooks, [path.join(root, "node_modules", "gradlab", "node_modules", "@types")], "devToolGlobal + 1")).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("the lessons' cells get none of this checkout's other @types packages, as the kernel sets it up", async () => {
    const { ownTypeRoots } = (await import(path.join(REPO, "dist/kernel/engine-paths.js"))) as typeof import("../../kernel/engine-paths.js");
    const repoTypes = path.join(REPO, "node_modules", "@types");
    // What makes this test meaningful: the checkout has types of its dev tools besides Node's.
    expect(fs.readdirSync(repoTypes).filter((name) => name !== "node").length).toBeGreaterThan(0);
    let program: import("@tslab/typescript-for-tslab").Program | null = null;
    const engine = new Engine(loadTslab(enginePaths(), require), { cwd: path.join(REPO, "notebooks"), library: null, runtimeNames: [], nodeTypes: nodeTypesPath(), ownTypeRoots: ownTypeRoots(), onProgram: (p) => (program = p) });
    try {
      expect(engine.convert("console.log(1)").diagnostics).toEqual([]);
      const typesPackages = new Set(program!.getSourceFiles().map((f) => path.relative(repoTypes, f.fileName)).filter((rel) => !rel.startsWith("..")).map((rel) => rel.split(path.sep)[0]));
      expect([...typesPackages]).toEqual(["node"]);
    } finally {
      engine.close();
    }
  });
});

describe("engine's declarations file", () => {
  it("is parsed incrementally: a new cell's declarations are parsed, the earlier ones' syntax is reused", () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), "gradlab-engine-incremental-"));
    const declarations = path.join(cwd, "__prev__.d.ts");
    const files: import("@tslab/typescript-for-tslab").SourceFile[] = [];
    const engine = new Engine(loadTslab(enginePaths(), require), {
      cwd,
      library: null,
      runtimeNames: [],
      nodeTypes: nodeTypesPath(),
      onProgram: (program) => {
        const file = program.getSourceFile(declarations);
        if (file && !files.includes(file)) files.push(file);
      },
    });
    const cell = (code: string): string[] => {
      const result = engine.convert(code);
      const errors = result.diagnostics.map((d) => String(d.messageText));
      if (errors.length === 0) engine.commit(result);
      return errors;
    };
    try {
      expect(cell("const first: number = 1;")).toEqual([]);
      expect(cell("const second: number = first + 1;")).toEqual([]);
      expect(cell("function third(): string { return String(second + first); }")).toEqual([]);
      expect(cell("const wrong: number = third();")).toEqual(["Type 'string' is not assignable to type 'number'."]);
      // By name, not by text: a reused node's positions are those of the newest file.
      const statementOf = (file: (typeof files)[number], name: string) =>
        file.statements.find((s) => (s as { declarationList?: { declarations: { name: { escapedText?: string } }[] } }).declarationList?.declarations[0]?.name.escapedText === name);
      const withFirst = files.filter((f) => statementOf(f, "first"));
      // Three files hold `first`: after cells 1, 2 and 3. The later ones reuse its statement.
      expect(withFirst.length).toBeGreaterThanOrEqual(3);
      expect(new Set(withFirst.map((f) => statementOf(f, "first"))).size).toBe(1);
      // It matches the text of the newest file, where `second` came in before it.
      const newest = withFirst.at(-1)!;
      const node = statementOf(newest, "first")!;
      expect(newest.text.slice(node.pos, node.end).trim()).toBe("declare const first: number;");
      expect(newest.text.indexOf("second")).toBeLessThan(node.pos);
    } finally {
      engine.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
