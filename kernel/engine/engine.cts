// The TypeScript side of the kernel: tslab's converter (cross-cell declarations, type checking,
// top-level await, completion, quick info) set up so that gradlab's library is in scope with its
// types from any notebook folder.
import path = require("node:path");
import fs = require("node:fs");
import type * as TS from "@tslab/typescript-for-tslab";
import type { LoadedTslab } from "./ts-patch.cjs";
import { DeclarationChunks, FREEZE_AT } from "./declaration-chunks.cjs";
import { DeclarationsFile } from "./declarations-file.cjs";
import { loopChecksWanted } from "./interruptible.cjs";
import { isComplete, type Completeness } from "./is-complete.cjs";
import { NodeModulesOnDemand } from "./node-modules-on-demand.cjs";
import { expandShorthandProperties } from "./shorthand.cjs";
import type { CompletionResult, ConvertResult, Converter } from "./tslab-types.cjs";

/** How many converted cells are kept for when they are run again. */
const REUSED_RESULTS = 64;

export interface LibraryFiles {
  /** Compiled entry point, e.g. /…/dist/lib/index.js. */
  js: string;
  /** Its declarations, e.g. /…/dist/lib/index.d.ts (may be missing). */
  dts: string;
}

export interface EngineConfig {
  /** The notebook folder (the kernel's working directory). */
  cwd: string;
  library: LibraryFiles | null;
  /** Names the library exports at run time; used when its declarations are missing. */
  runtimeNames: string[];
  /** gradlab's own @types/node entry, used when the notebook folder has none. */
  nodeTypes: string | null;
  /**
   * @types folders of gradlab's own installation (engine-paths.ts: ownTypeRoots). They hold its
   * dependencies' and dev tools' types, not the notebook's, so a notebook inside gradlab (the
   * lessons) does not get them as globals: see notebookTypeRoots.
   */
  ownTypeRoots?: readonly string[];
  pinnedFiles?: Map<string, TS.SourceFile>;
  /** Declarations of the kernel's own globals (display, input, …), as a script .d.ts text. */
  globalDeclarations?: string;
  /**
   * Length of the recent declarations' text beyond which it is frozen into a file of its own
   * (see declaration-chunks.cts); tests set it low to cross that boundary within a few cells.
   */
  freezeAt?: number;
  /** Sees every program the converter builds (the snapshot builder collects its files). */
  onProgram?: (program: TS.Program) => void;
}

export interface LibraryExport {
  name: string;
  /** Has a run-time value (as opposed to a type-only export). */
  isValue: boolean;
}

export class Engine {
  readonly tsVersion: string;
  /** Names of the library in scope in every cell. */
  readonly libraryExports: LibraryExport[];
  private readonly converter: Converter;
  private latestProgram: TS.Program | null = null;
  private prevDecl: string;
  private readonly declarations: DeclarationsFile;
  private readonly chunks: DeclarationChunks;
  private readonly freezeAt: number;
  /** Cells converted lately, by what their result depends on (see reuseKey). */
  private readonly recent = new Map<string, ConvertResult>();
  /** Files the programs read from memory, by path (the lib bundle, the kernel's globals, …). */
  private readonly virtualFiles = new Map<string, string>();
  /** gradlab's own @types/node, when the notebook has none, with its rarely used modules loaded on demand. */
  private readonly nodeModules: NodeModulesOnDemand | null = null;

  constructor(private readonly tslab: LoadedTslab, config: EngineConfig) {
    const { ts } = tslab;
    this.tsVersion = ts.version;
    this.freezeAt = config.freezeAt ?? FREEZE_AT;
    const typeRoots = notebookTypeRoots(ts, config.cwd, config.ownTypeRoots ?? []);
    const extraRoots: string[] = [];
    const virtualFiles = this.virtualFiles;
    if (config.nodeTypes && !typeRoots.some((root) => fs.existsSync(path.join(root, "node", "package.json")))) {
      // Without this, `console` and `process` are unknown in a folder without @types/node.
      const entry = typesEntry(ts, config.nodeTypes);
      extraRoots.push(entry);
      this.nodeModules = NodeModulesOnDemand.forEntry(entry, virtualFiles);
    }
    if (config.globalDeclarations) {
      const globals = path.join(__dirname, "__gradlab_kernel_globals__.d.ts");
      virtualFiles.set(globals, config.globalDeclarations);
      extraRoots.push(globals);
    }
    const libDts = config.library && fs.existsSync(config.library.dts) ? config.library.dts : null;
    // `import … from "gradlab"` must type-check even when no node_modules is near the notebook.
    const ambient = libDts ? path.join(path.dirname(libDts), "__gradlab_ambient__.d.ts") : null;
    if (libDts && ambient) {
      extraRoots.push(libDts);
      virtualFiles.set(ambient, "");
      extraRoots.push(ambient);
    }
    // The converter's declarations file (see declarations-file.cts).
    this.declarations = new DeclarationsFile(path.join(config.cwd, "__prev__.d.ts").replace(/\\/g, "/"));
    tslab.declarations.set(this.declarations.path, this.declarations);
    this.chunks = new DeclarationChunks(ts, path.dirname(this.declarations.path), extraRoots, virtualFiles);
    tslab.settings.current = {
      cwd: config.cwd,
      extras: { extraRoots, virtualFiles, pinnedFiles: config.pinnedFiles ?? new Map(), declarations: this.declarations, chunks: this.chunks },
      typeRoots,
      onProgram: (program) => {
        this.latestProgram = program;
        config.onProgram?.(program);
      },
    };
    this.converter = tslab.converterModule.createConverter({ isJS: false, isBrowser: false });
    tslab.settings.current = null;

    this.libraryExports = libDts ? this.exportsOf(libDts) : config.runtimeNames.map((name) => ({ name, isValue: true }));
    if (config.library && ambient && this.libraryExports.length > 0) {
      // Named re-exports: TypeScript ignores `export *` from an absolute path in an ambient module.
      const names = this.libraryExports.map((e) => e.name).join(", ");
      virtualFiles.set(ambient, `declare module "gradlab" {\n  export { ${names} } from ${JSON.stringify(config.library.js)};\n}\n`);
    }
    // The library's names are the first frozen file: the converter would otherwise reprint
    // their import line after every cell.
    this.prevDecl = "";
    if (config.library) this.chunks.freeze(prelude(config.library, libDts !== null, this.libraryExports));
  }

  convert(src: string): ConvertResult {
    this.nodeModules?.include(src);
    const key = this.reuseKey(src);
    const known = key === null ? undefined : this.recent.get(key);
    if (key !== null && known) {
      // Most recently used last, so the oldest is the first to go.
      this.recent.delete(key);
      this.recent.set(key, known);
      return known;
    }
    let result: ConvertResult;
    try {
      result = this.converter.convert(this.prevDecl, expandShorthandProperties(this.tslab.ts as unknown as typeof TS, src));
    } finally {
      this.declarations.restore();
    }
    if (key !== null && !result.sideOutputs) {
      this.recent.set(key, result);
      const oldest = this.recent.keys().next();
      if (this.recent.size > REUSED_RESULTS && !oldest.done) this.recent.delete(oldest.value);
    }
    return result;
  }

  /**
   * A cell run again (a plot redrawn, a training step repeated) converts to the same result as
   * long as it reads nothing that changed: the earlier cells' declarations are the same, no
   * file the compiler watches has changed since, no held-back Node module was loaded since
   * (node-modules-on-demand.cts), and loops still get (or still go without)
   * interrupt checks, which depend on the backend (interruptible.cts). Cells that import or
   * reference files are converted anew: their own imports may have changed on disk before the
   * watcher reports it.
   */
  private reuseKey(src: string): string | null {
    if (/\bimport\b|\brequire\b|\/\/\/\s*</.test(src)) return null;
    return `${loopChecksWanted() ? "checked" : "plain"}\0${this.tslab.fileEvents.count}\0${this.chunks.count}\0${this.nodeModules?.loads ?? 0}\0${this.prevDecl}\0${src}`;
  }

  /** Makes a converted cell's declarations visible to the following cells. */
  commit(result: ConvertResult): void {
    if (result.declOutput === undefined) return;
    this.prevDecl = result.declOutput;
    if (this.prevDecl.length > this.freezeAt) {
      this.chunks.freeze(this.prevDecl);
      this.prevDecl = "";
    }
  }

  complete(src: string, position: number): CompletionResult {
    this.nodeModules?.include(src);
    return this.converter.complete(this.prevDecl, src, position);
  }

  quickInfo(src: string, position: number): TS.QuickInfo | undefined {
    this.nodeModules?.include(src);
    return this.converter.inspect(this.prevDecl, src, position);
  }

  isComplete(code: string): Completeness {
    return isComplete(this.tslab.ts, this.tslab.converterModule, code);
  }

  /** Whether the programs read `fileName` from memory rather than from disk. */
  isInMemory(fileName: string): boolean {
    return this.virtualFiles.has(fileName);
  }

  close(): void {
    this.tslab.declarations.delete(this.declarations.path);
    this.converter.close();
  }

  private exportsOf(fileName: string): LibraryExport[] {
    const program = this.latestProgram;
    const file = program?.getSourceFile(fileName);
    if (!program || !file) return [];
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (!moduleSymbol) return [];
    const { SymbolFlags } = this.tslab.ts;
    return checker
      .getExportsOfModule(moduleSymbol)
      .filter((symbol) => symbol.name !== "default")
      .map((symbol) => {
        const target = symbol.flags & SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        return { name: symbol.name, isValue: (target.flags & SymbolFlags.Value) !== 0 };
      });
  }
}

/** The declarations every notebook starts with: the library's names, imported. */
function prelude(library: LibraryFiles, hasDeclarations: boolean, names: LibraryExport[]): string {
  if (names.length === 0) return "";
  if (!hasDeclarations) return names.map((n) => `declare const ${n.name}: any;`).join("\n") + "\n";
  return `import { ${names.map((n) => n.name).join(", ")} } from ${JSON.stringify(library.js)};\n`;
}

/**
 * The entry of a types package as TypeScript itself would pick it: @types/node maps older
 * TypeScript versions (tslab's is 5.0) to its ts5.6/ folder. Adding index.d.ts directly would
 * load both variants of its typed-array and Buffer declarations, since other packages'
 * `/// <reference types="node" />` still resolve through that mapping.
 */
function typesEntry(ts: LoadedTslab["ts"], indexDts: string): string {
  const packageDir = path.dirname(indexDts);
  const resolved = ts.resolveTypeReferenceDirective(path.basename(packageDir), undefined, { typeRoots: [path.dirname(packageDir)] }, ts.sys);
  return resolved.resolvedTypeReferenceDirective?.resolvedFileName ?? indexDts;
}

/**
 * The node_modules/@types folders above the notebook, whose packages TypeScript includes in
 * every cell as it would in a project there, except gradlab's own. In the lessons folder of a
 * gradlab checkout, that folder holds the types of its test and benchmark tools (chai,
 * emscripten, offscreencanvas, …): cells would see globals that do not exist at run time, and
 * parsing them cost the first reply about 100–200 ms.
 */
function notebookTypeRoots(ts: LoadedTslab["ts"], cwd: string, own: readonly string[]): string[] {
  const found = ts.getDefaultTypeRoots(cwd, { directoryExists: ts.sys.directoryExists }) ?? [];
  if (own.length === 0) return [...found];
  const ownReal = new Set(own.map(realPath));
  return found.filter((root) => !ownReal.has(realPath(root)));
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}
