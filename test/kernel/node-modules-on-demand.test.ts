// @types/node's rarely used modules are declared only once a cell names them
// (kernel/engine/node-modules-on-demand.cts). What makes that safe is checked here against the
// installed @types/node, and what a student sees through the engine.
import fs, { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as TS from "@tslab/typescript-for-tslab";
import type { Engine as EngineType } from "../../kernel/engine/engine.cjs";
import { REPO } from "./support/kernelspec.js";

// The compiled copies: vitest does not load .cts sources.
const require = createRequire(import.meta.url);
const { Engine } = require(path.join(REPO, "dist/kernel/engine/engine.cjs")) as typeof import("../../kernel/engine/engine.cjs");
const { loadTslab } = require(path.join(REPO, "dist/kernel/engine/ts-patch.cjs")) as typeof import("../../kernel/engine/ts-patch.cjs");
const { NodeModulesOnDemand, ON_DEMAND_NODE_MODULES } = require(path.join(REPO, "dist/kernel/engine/node-modules-on-demand.cjs")) as typeof import("../../kernel/engine/node-modules-on-demand.cjs");
const { enginePaths, nodeTypesPath } = (await import(path.join(REPO, "dist/kernel/main.js"))) as typeof import("../../kernel/main.js");

const tslab = loadTslab(enginePaths(), require);
const ts = tslab.ts as unknown as typeof TS;
const nodeDir = path.dirname(nodeTypesPath()!);
/** The entry tslab's TypeScript picks (@types/node maps versions before 5.7 to ts5.6/). */
const entry = ts.resolveTypeReferenceDirective("node", undefined, { typeRoots: [path.dirname(nodeDir)] }, ts.sys).resolvedTypeReferenceDirective!.resolvedFileName!;
const heldBackFiles = [...ON_DEMAND_NODE_MODULES.keys()].map((file) => path.join(nodeDir, file));
const heldBackNames = new Set([...ON_DEMAND_NODE_MODULES.values()].flat());

/** The entry and every file it references, transitively, parsed. */
function nodeTypesFiles(): TS.SourceFile[] {
  const files = new Map<string, TS.SourceFile>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    files.set(file, source);
    for (const reference of source.referencedFiles) visit(path.resolve(path.dirname(file), reference.fileName));
  };
  visit(entry);
  return [...files.values()];
}

/** Module names a file imports (declarations, `import("…")` types, `import x = require("…")`). */
function importedModules(file: TS.SourceFile, skip: (node: TS.Node) => boolean): Set<string> {
  const names = new Set<string>();
  const visit = (node: TS.Node): void => {
    if (skip(node)) return;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) names.add(node.moduleSpecifier.text);
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) names.add(node.argument.literal.text);
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) names.add(node.moduleReference.expression.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names;
}

describe("@types/node's held-back modules, as installed", () => {
  const files = nodeTypesFiles();
  const byName = new Map(files.map((file) => [file.fileName, file]));

  it("are each referenced by the entry, and declare exactly the module names listed for them", () => {
    for (const file of heldBackFiles) {
      const source = byName.get(file);
      expect(source, `${file} is not referenced from ${entry}`).toBeDefined();
      const declared = source!.statements.map((statement) => (ts.isModuleDeclaration(statement) && ts.isStringLiteral(statement.name) ? statement.name.text : `<not a module: ${ts.SyntaxKind[statement.kind]}>`));
      expect(declared.sort(), file).toEqual([...ON_DEMAND_NODE_MODULES.get(path.basename(file))!].sort());
    }
  });

  it("declare nothing global", () => {
    for (const file of heldBackFiles) {
      let global = false;
      const visit = (node: TS.Node): void => {
        if (ts.isModuleDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === "global") global = true;
        ts.forEachChild(node, visit);
      };
      visit(byName.get(file)!);
      expect(global, `${file} has a \`declare global\``).toBe(false);
    }
  });

  it("are needed by no other file, except for process.getBuiltinModule's list of module types", () => {
    const builtInList = (node: TS.Node) => ts.isInterfaceDeclaration(node) && node.name.text === "BuiltInModule" && node.getSourceFile().fileName.endsWith("process.d.ts");
    const needed: string[] = [];
    for (const file of files) {
      if (heldBackFiles.includes(file.fileName)) continue;
      for (const name of importedModules(file, builtInList)) if (heldBackNames.has(name)) needed.push(`${path.relative(nodeDir, file.fileName)} imports ${name}`);
    }
    expect(needed).toEqual([]);
    // The exception is real: without it this test would not see what it skips.
    const process = byName.get(path.join(nodeDir, "process.d.ts"))!;
    expect([...importedModules(process, () => false)].filter((name) => heldBackNames.has(name)).length).toBeGreaterThan(10);
  });

  it("are needed by none of gradlab's own declarations, which every cell's program holds", () => {
    const needed: string[] = [];
    let read = 0;
    const visit = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) visit(file);
        else if (file.endsWith(".d.ts")) {
          const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
          read++;
          for (const name of importedModules(source, () => false)) if (heldBackNames.has(name)) needed.push(`${path.relative(REPO, file)} imports ${name}`);
        }
      }
    };
    visit(path.join(REPO, "dist", "lib"));
    expect(read).toBeGreaterThan(50);
    expect(needed).toEqual([]);
  });
});

describe("what the engine serves as @types/node's entry", () => {
  let dir = "";
  let entryFile = "";
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "gradlab-on-demand-"));
    fs.mkdirSync(path.join(dir, "ts5.6"));
    entryFile = path.join(dir, "ts5.6", "index.d.ts");
    writeFileSync(entryFile, ['/// <reference lib="es2020" />', '/// <reference path="../fs.d.ts" />', '/// <reference path="../zlib.d.ts" />', '/// <reference path="../test.d.ts" />', '/// <reference path="../http2.d.ts" />', ""].join("\n"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("leaves out the held-back files' references until a string names one of their modules", () => {
    const files = new Map<string, string>();
    const onDemand = NodeModulesOnDemand.forEntry(entryFile, files)!;
    const text = () => files.get(entryFile)!;
    expect(text()).toContain("../fs.d.ts");
    expect(text()).not.toMatch(/zlib|test\.d|http2/);
    // A variable named like a module, and `test` without the `node:` prefix Node requires for it.
    expect(onDemand.include("const zlib = 1;\nconst name = 'test';\nhttp2;")).toBe(false);
    expect(onDemand.loads).toBe(0);
    expect(onDemand.include("const { gzipSync } = require(`zlib`);")).toBe(true);
    expect(text()).toContain("../zlib.d.ts");
    expect(text()).not.toMatch(/test\.d|http2/);
    expect(onDemand.include('import { describe } from "node:test";\nimport("node:http2")')).toBe(true);
    expect(text()).toContain("../test.d.ts");
    expect(text()).toContain("../http2.d.ts");
    expect(onDemand.pending).toEqual([]);
    expect(onDemand.loads).toBe(2);
    // The lines kept are the file's own, in its order.
    expect(text()).toBe(fs.readFileSync(entryFile, "utf8"));
  });

  it("is not served when the entry cannot be read", () => {
    expect(NodeModulesOnDemand.forEntry(path.join(dir, "missing.d.ts"), new Map())).toBeNull();
  });
});

describe("an engine with gradlab's @types/node", () => {
  let cwd = "";
  let engine: EngineType | null = null;
  let program: TS.Program | null = null;
  beforeAll(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), "gradlab-on-demand-engine-"));
    engine = new Engine(tslab, { cwd, library: null, runtimeNames: [], nodeTypes: nodeTypesPath(), onProgram: (p) => (program = p as unknown as TS.Program) });
  });
  afterAll(() => {
    engine?.close();
    rmSync(cwd, { recursive: true, force: true });
  });
  const nodeFiles = () => new Set(program!.getSourceFiles().map((file) => file.fileName).filter((file) => file.startsWith(nodeDir)));
  const errors = (code: string): string[] => {
    const result = engine!.convert(code);
    if (result.diagnostics.length === 0) engine!.commit(result);
    return result.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText as string | TS.DiagnosticMessageChain, "\n"));
  };

  it("starts without the held-back files, with the rest of Node's types", () => {
    expect(errors("const v: string = process.version;\nconsole.log(Buffer.from(v).length, setTimeout);")).toEqual([]);
    const files = nodeFiles();
    expect(files.has(path.join(nodeDir, "fs.d.ts"))).toBe(true);
    expect(files.has(path.join(nodeDir, "process.d.ts"))).toBe(true);
    expect(heldBackFiles.filter((file) => files.has(file))).toEqual([]);
  });

  it("loads a module a cell imports, with its real types, for good", () => {
    expect(errors('import * as zlib from "node:zlib";\nconst packed: number = zlib.gzipSync("abc").length;')).toEqual([]);
    expect(nodeFiles().has(path.join(nodeDir, "zlib.d.ts"))).toBe(true);
    // Typed, not `any`: a wrong argument is an error that names the module's own types.
    expect(errors('import { createServer } from "http2";\ncreateServer(42);').join("\n")).toMatch(/Http2ServerRequest/);
    expect(errors("const size: string = process.getBuiltinModule('node:v8').getHeapStatistics().total_heap_size;")).toEqual(["Type 'number' is not assignable to type 'string'."]);
    expect(errors("packed + 1")).toEqual([]);
    expect(nodeFiles().has(path.join(nodeDir, "zlib.d.ts"))).toBe(true);
  });

  it("completes and describes a module's names in the cell that first names it", () => {
    const code = 'import * as traces from "trace_events";\nconst tracing = traces.createTracing({ categories: ["v8"] });\ntraces.createTr';
    expect(engine!.complete(code, code.length).candidates).toContain("createTracing");
    const info = engine!.quickInfo(code, code.indexOf("tracing"));
    expect(ts.displayPartsToString(info?.displayParts)).toBe("const tracing: traces.Tracing");
  });
});

describe("the start-up snapshot", () => {
  it("holds @types/node's entry as the engine serves it, kept while that text is the same", async () => {
    const { prepare } = require(path.join(REPO, "dist/kernel/snapshot/prepare.cjs")) as typeof import("../../kernel/snapshot/prepare.cjs");
    const { snapshotInputs } = (await import(path.join(REPO, "dist/kernel/snapshot/launch.js"))) as typeof import("../../kernel/snapshot/launch.js");
    const { GLOBAL_DECLARATIONS } = (await import(path.join(REPO, "dist/kernel/globals.js"))) as typeof import("../../kernel/globals.js");
    const state = prepare({ ...snapshotInputs(), globalDeclarations: GLOBAL_DECLARATIONS }, require);
    const pinned = state.pinned.get(entry);
    expect(pinned).toBeDefined();
    expect(pinned!.file.text).not.toMatch(/http2|inspector/);
    expect(pinned!.file.text).toContain("../fs.d.ts");
    // Checked against the text the engine has then, not against the file on disk, whose text differs.
    expect(pinned!.mtimeMs).toBeNull();
    expect(heldBackFiles.filter((file) => state.pinned.has(file))).toEqual([]);
    expect(state.pinned.has(path.join(nodeDir, "fs.d.ts"))).toBe(true);
    // The engine's other in-memory file, TypeScript's lib joined into one, likewise.
    const libBundles = [...state.pinned].filter(([name]) => path.basename(name).startsWith("__gradlab_lib__."));
    expect(libBundles).toHaveLength(1);
    expect(libBundles[0]![1].mtimeMs).toBeNull();
  }, 60_000);
});
