// Loads tslab's converter with a patched view of TypeScript. The converter reads everything it
// uses from the `typescript` module object, so giving it a copy with three functions replaced
// lets the kernel reuse it unchanged while choosing the builder, source maps and type roots.
import type * as TS from "@tslab/typescript-for-tslab";
import { CommonJsLoader, type SourcePatch } from "./cjs-loader.cjs";
import type { DeclarationsFile } from "./declarations-file.cjs";
import path = require("node:path");
import { bundleLib, libName, type LibBundle } from "./lib-bundle.cjs";
import { lightBuilderFactory, type BuilderExtras } from "./light-builder.cjs";
import { topLevelNames } from "./top-level-names.cjs";
import { asInternal, type InternalTs, type TsModule } from "./ts-internal.cjs";
import type { ConverterModule } from "./tslab-types.cjs";

export interface EnginePaths {
  /** tslab's TypeScript build: node_modules/@tslab/typescript-for-tslab/lib/typescript.js */
  typescript: string;
  /** node_modules/tslab/dist/converter.js */
  converter: string;
}

/** Per-converter settings, read when the converter creates its compiler host. */
export interface ConverterSettings {
  /** The notebook folder: where the converter's own files (__tslab__.ts, __prev__.d.ts) live. */
  cwd: string;
  extras: BuilderExtras;
  /** Replaces the type roots the converter computes (it may add its own @types/node). */
  typeRoots: string[];
  onProgram(program: TS.Program): void;
}

export interface LoadedTslab {
  ts: InternalTs;
  converterModule: ConverterModule;
  /** Must be set before each `createConverter` call. */
  settings: { current: ConverterSettings | null };
  /**
   * Whether converters watch files on disk (so edits of a notebook's local .ts modules are seen).
   * Off while building a start-up snapshot: a snapshot cannot contain pending watcher timers.
   */
  watching: { enabled: boolean };
  /** Counts changes the converters' file watchers reported (a notebook's .ts module edited, a package installed). */
  fileEvents: { count: number };
  /** Each converter's declarations file, by path (see declarations-file.cts). */
  declarations: Map<string, DeclarationsFile>;
  /** TypeScript's lib as one file, by the lib names it holds (see lib-bundle.cts). */
  libBundles: Map<string, LibBundle>;
}

export function loadTslab(paths: EnginePaths, builtinRequire: (id: string) => unknown): LoadedTslab {
  const loader = new CommonJsLoader({ provided: new Map(), builtinRequire, patches: new Map([[paths.typescript, TYPESCRIPT_FIXES]]) });
  const ts = asInternal(loader.load(paths.typescript) as TsModule);
  const settings: LoadedTslab["settings"] = { current: null };
  const libBundles = new Map<string, LibBundle>();
  const watching = { enabled: true };
  const fileEvents = { count: 0 };
  const patched: InternalTs = { ...ts };
  const idle: TS.FileWatcher = { close: () => {} };
  patched.sys = {
    ...ts.sys,
    // The converter takes its folder from here when it is created (not from the process).
    getCurrentDirectory: () => settings.current?.cwd ?? ts.sys.getCurrentDirectory(),
    watchFile: (file, callback, interval, options) =>
      watching.enabled && ts.sys.watchFile ? ts.sys.watchFile(file, (...event) => (fileEvents.count++, callback(...event)), interval, options) : idle,
    watchDirectory: (directory, callback, recursive, options) =>
      watching.enabled && ts.sys.watchDirectory ? ts.sys.watchDirectory(directory, (...event) => (fileEvents.count++, callback(...event)), recursive, options) : idle,
  };

  patched.createWatchCompilerHost = ((rootFiles: string[], options: TS.CompilerOptions, system: TS.System, _createProgram: unknown, reportDiagnostic?: TS.DiagnosticReporter, reportWatchStatus?: TS.WatchStatusReporter) => {
    const current = settings.current;
    if (!current) throw new Error("converter settings are not set");
    const libDir = path.dirname(ts.getDefaultLibFilePath(options));
    const entries = (options.lib ?? [ts.getDefaultLibFileName(options)]).map(libName);
    const lib = (extra: readonly string[]): LibBundle => {
      const names = [...entries, ...extra];
      const key = names.join(",");
      let bundle = libBundles.get(key);
      if (!bundle) {
        bundle = bundleLib(libDir, names, (name) => ts.libMap?.get(name), ts.libs ?? []);
        libBundles.set(key, bundle);
      }
      return bundle;
    };
    const createProgram = lightBuilderFactory(ts, current.extras, current.onProgram, lib);
    return ts.createWatchCompilerHost(
      rootFiles,
      // Inline source maps let runtime errors point at cell lines. noLib: the light builder
      // adds the lib as one bundled file.
      { ...options, inlineSourceMap: true, typeRoots: current.typeRoots, noLib: true },
      system,
      createProgram as unknown as TS.CreateProgram<TS.BuilderProgram>,
      reportDiagnostic,
      reportWatchStatus,
    );
  }) as typeof ts.createWatchCompilerHost;

  // The converter reprints its declarations file with a printer it creates per cell.
  const declarations = new Map<string, DeclarationsFile>();
  patched.createPrinter = ((options?: TS.PrinterOptions, handlers?: TS.PrintHandlers) => {
    const printer = ts.createPrinter(options, handlers);
    const printFile = printer.printFile.bind(printer);
    printer.printFile = (file) => declarations.get(file.fileName)?.print(ts, file, printer) ?? printFile(file);
    return printer;
  }) as typeof ts.createPrinter;

  // The cell's top-level names, for CONVERTER_FIXES, from a parse of the cell alone instead of a
  // whole program built only to read them. Unescaped: the converter writes them into an
  // `export { … }` line, and tslab's `export { ___z }` for `__z` failed with "Cannot find name".
  (patched as InternalTs & { gradlabCellLocals: CellLocals }).gradlabCellLocals = (fileName, text) =>
    new Map(topLevelNames(ts, fileName, text).map((name) => [name, true]));

  // For CONVERTER_FIXES: whether `symbol` is a top-level name of `file`, one of the earlier
  // cells' declarations files chained below the head (see declaration-chunks.cts).
  (patched as InternalTs & { gradlabDeclaredEarlier: DeclaredEarlier }).gradlabDeclaredEarlier = (file, head, symbol) => {
    for (let f: TS.Node | undefined = head; f; f = f.parent) {
      if (f === file) return (file as TS.SourceFile & { locals?: Map<TS.__String, TS.Symbol> }).locals?.get(symbol.escapedName) === symbol;
    }
    return false;
  };

  // Declaration emit is only how the converter carries a cell's names to later cells, so what it
  // alone reports ("Exported variable 'fs' … cannot be named", for `const fs = await
  // import("node:fs")`) is not the student's error and must not stop the cell. The emitter then
  // writes the type as it can; later cells see the rest of it.
  patched.getPreEmitDiagnosticsOfFiles = ((program: TS.Program, files: TS.SourceFile[], token?: TS.CancellationToken) => {
    const all = ts.getPreEmitDiagnosticsOfFiles(program, files, token);
    // Cached by the program: the call above already computed them.
    const emitOnly = new Set<TS.Diagnostic>(files.flatMap((file) => program.getDeclarationDiagnostics(file, token)));
    return emitOnly.size === 0 ? all : all.filter((d) => !emitOnly.has(d));
  }) as typeof ts.getPreEmitDiagnosticsOfFiles;

  // The light builder already emits CommonJS (see light-builder.cts), so the converter's
  // second ES-module-to-CommonJS pass must leave the code as it is.
  patched.transpileModule = ((input: string) => ({ outputText: input, diagnostics: [] })) as typeof ts.transpileModule;

  const converterLoader = new CommonJsLoader({
    patches: new Map([[paths.converter, CONVERTER_FIXES]]),
    provided: new Map<string, unknown>([
      ["@tslab/typescript-for-tslab", patched],
      // The converter only asks semver for the major version of Node.
      ["semver", { major: (version: string) => Number.parseInt(version.replace(/^v/, ""), 10) }],
    ]),
    builtinRequire,
  });
  const converterModule = converterLoader.load(paths.converter) as ConverterModule;
  return { ts, converterModule, settings, watching, fileEvents, declarations, libBundles };
}

type CellLocals = (fileName: string, text: string) => Map<string, unknown>;
type DeclaredEarlier = (file: TS.SourceFile, head: TS.SourceFile, symbol: TS.Symbol) => boolean;

/** Speed-ups in TypeScript itself; each leaves its results unchanged. */
const TYPESCRIPT_FIXES: SourcePatch[] = [
  {
    // Every program update asks each of its ~230 files for its module format. Only the node16
    // and nodenext resolutions look at the path; the others answer "none" whatever it is, yet
    // each call normalized the path first (about 0.2 ms per cell).
    why: "skip path normalization when the module format does not depend on it",
    find: "const result = getImpliedNodeFormatForFileWorker(getNormalizedAbsolutePath(fileName, currentDirectory), ",
    replace:
      "const gradlabKind = getEmitModuleResolutionKind(options2);\n      const result = getImpliedNodeFormatForFileWorker(gradlabKind === 3 /* Node16 */ || gradlabKind === 99 /* NodeNext */ ? getNormalizedAbsolutePath(fileName, currentDirectory) : fileName, ",
  },
  {
    // Each type checker maps every file reachable from a `/// <reference types>` (all of
    // @types/node) to its directive, walking and resolving their references: about 0.17 ms per
    // cell. Declaration emit needs that map only for symbols from such files; it is now built
    // the first time it is asked.
    why: "build the type-directive file map on first use",
    find: "fileToDirective = /* @__PURE__ */ new Map();\n        resolvedTypeReferenceDirectives.forEach(",
    replace:
      "const gradlabMap = new Map();\n        const gradlabFill = () => { if (fileToDirective === gradlabMap) return gradlabMap; fileToDirective = gradlabMap; resolvedTypeReferenceDirectives.forEach(",
  },
  {
    why: "build the type-directive file map on first use (end)",
    find: "        });\n      }\n      return {\n        getReferencedExportContainer,",
    replace:
      "        }); return gradlabMap; };\n        fileToDirective = { has: (key) => gradlabFill().has(key), get: (key) => gradlabFill().get(key), set: (key, value) => gradlabFill().set(key, value) };\n      }\n      return {\n        getReferencedExportContainer,",
  },
];

/**
 * Fixes in tslab's converter. The last one: it rewrites every identifier whose symbol is declared in the
 * declarations file to `exports.name`, including the property names of earlier cells' types:
 * `const { a: b } = obj` became `const { exports.a: b } = exports.obj`, a SyntaxError, as did
 * `{ a: 1 }` in an object literal typed by an earlier cell. Only names declared at the top
 * level of that file or of the frozen files below it (earlier cells' variables, functions,
 * classes and imports) are rewritten.
 */
const CONVERTER_FIXES: SourcePatch[] = [
  {
    // A cell that declares names was compiled twice: once to learn its names, once with an
    // `export { names }` suffix. One program per cell is enough.
    why: "one program per cell",
    find: [
      "        updateContent(prevDecl, src);",
      "        let declsFile = builder.getSourceFile(declFilename);",
      "        let srcFile = builder.getSourceFile(srcFilename);",
      "        const locals = srcFile.locals;",
    ].join("\n"),
    replace: [
      "        const locals = ts.gradlabCellLocals(srcFilename, src);",
      "        let declsFile;",
      "        let srcFile;",
    ].join("\n"),
  },
  {
    why: "one program per cell (a cell without names)",
    find: [
      "            declsFile = builder.getSourceFile(declFilename);",
      "            srcFile = builder.getSourceFile(srcFilename);",
      "        }",
      "        asMutable(srcFile).parent = declsFile;",
    ].join("\n"),
    replace: [
      "            declsFile = builder.getSourceFile(declFilename);",
      "            srcFile = builder.getSourceFile(srcFilename);",
      "        } else {",
      "            updateContent(prevDecl, src);",
      "            declsFile = builder.getSourceFile(declFilename);",
      "            srcFile = builder.getSourceFile(srcFilename);",
      "        }",
      "        asMutable(srcFile).parent = declsFile;",
    ].join("\n"),
  },
  {
    why: "rewrite only earlier cells' top-level names, not property names",
    find: "                if (decl.getSourceFile() === declsFile) {\n                    prev = true;",
    replace: "                if (ts.gradlabDeclaredEarlier(decl.getSourceFile(), declsFile, _a)) {\n                    prev = true;",
  },
];
