// What a start-up snapshot holds: TypeScript and tslab's converter already loaded, and the
// declaration files every notebook uses (TypeScript's lib, @types/node, gradlab's own) already
// parsed and bound. Restoring that heap replaces most of a kernel's start-up work.
import fs = require("node:fs");
import os = require("node:os");
import path = require("node:path");
import type * as TS from "@tslab/typescript-for-tslab";
import { Engine, type LibraryFiles } from "../engine/engine.cjs";
import { loadTslab, type EnginePaths, type LoadedTslab } from "../engine/ts-patch.cjs";
import { snapshotKey } from "./key.cjs";

export interface SnapshotInputs {
  engine: EnginePaths;
  library: LibraryFiles;
  nodeTypes: string | null;
  globalDeclarations: string;
  /** dist/kernel/snapshot/start.js, the ES module the restored process imports. */
  kernelEntry: string;
  /** dist/kernel/start-bundle.js: the same modules in one file, imported instead when current. */
  kernelBundle: string;
  /** dist/kernel/wire/worker.js, started by the restored process before the kernel entry. */
  wireWorker: string;
  /** Folders whose compiled code is in the snapshot (see key.cts). */
  codeDirs: string[];
}

export interface PinnedFile {
  file: TS.SourceFile;
  /** Null for a file the engine serves from memory (the lib bundle, @types/node's entry): the light builder compares its text instead. */
  mtimeMs: number | null;
  size: number;
}

export interface PreparedState {
  inputs: SnapshotInputs;
  /** snapshotKey() when built; a restored process compares it with the files now. */
  key: string;
  tslab: LoadedTslab;
  pinned: Map<string, PinnedFile>;
}

/** Cells run once while building, so their code paths are compiled into the snapshot. */
const WARM_UP = [
  "1+1",
  "const a: number[] = [1, 2, 3];\nconst b = a.map((x) => x * 2);",
  "interface P { x: number }\nfunction f(p: P): number { return p.x + b.length; }\nf({ x: 1 })",
  "const t = await Promise.resolve(zeros([2]));\nconsole.log(t.shape);",
];

export function prepare(inputs: SnapshotInputs, builtinRequire: (id: string) => unknown): PreparedState {
  const tslab = loadTslab(inputs.engine, builtinRequire);
  tslab.watching.enabled = false;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradlab-snapshot-"));
  const cwd = process.cwd();
  process.chdir(scratch);
  let program: TS.Program | null = null;
  let engine: Engine | null = null;
  try {
    engine = new Engine(tslab, {
      cwd: scratch,
      library: inputs.library,
      runtimeNames: [],
      nodeTypes: inputs.nodeTypes,
      globalDeclarations: inputs.globalDeclarations,
      onProgram: (p) => (program = p),
    });
    for (const cell of WARM_UP) {
      const result = engine.convert(cell);
      // Not completions: they create an Intl.Collator, which a snapshot cannot hold.
      if (result.diagnostics.length === 0) engine.commit(result);
    }
    engine.close();
  } finally {
    process.chdir(cwd);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const pinned = new Map<string, PinnedFile>();
  for (const file of (program as TS.Program | null)?.getSourceFiles() ?? []) {
    // Files the engine reads from memory (the lib bundle; @types/node's entry, see
    // node-modules-on-demand.cts) are checked against the text it has then, not against the disk.
    if (engine?.isInMemory(file.fileName)) {
      pinned.set(file.fileName, { file, mtimeMs: null, size: file.text.length });
      continue;
    }
    // Only files on disk outside the scratch folder: the same for every notebook.
    if (!file.isDeclarationFile || file.fileName.startsWith(scratch) || !fs.existsSync(file.fileName)) continue;
    const stat = fs.statSync(file.fileName);
    pinned.set(file.fileName, { file, mtimeMs: stat.mtimeMs, size: stat.size });
  }
  tslab.watching.enabled = true;
  return { inputs, key: snapshotKey(inputs, inputs.codeDirs), tslab, pinned };
}

/**
 * The pinned files that did not change on disk since the snapshot was built. A file rewritten
 * with the same text (every `tsc` run rewrites dist/lib's declarations) is unchanged: its
 * date differs, so its text is compared.
 */
export function validPinnedFiles(pinned: Map<string, PinnedFile>): { files: Map<string, TS.SourceFile>; stale: number } {
  const files = new Map<string, TS.SourceFile>();
  let stale = 0;
  for (const [name, entry] of pinned) {
    if (entry.mtimeMs === null) {
      files.set(name, entry.file);
      continue;
    }
    try {
      const stat = fs.statSync(name);
      if (stat.size === entry.size && (stat.mtimeMs === entry.mtimeMs || fs.readFileSync(name, "utf8") === entry.file.text)) {
        files.set(name, entry.file);
        continue;
      }
    } catch {
      // deleted
    }
    stale++;
  }
  return { files, stale };
}
