// A minimal "builder program" for tslab's converter. TypeScript's default builder recomputes
// reference maps and file signatures of every file (lib.d.ts, @types/node, ...) on each program
// update; the converter only needs a program, its files, emit and the local-file dependencies
// of a cell. Skipping that bookkeeping makes a cell several times cheaper and keeps its cost flat
// as the notebook grows. It also adds the kernel's own root files and pre-parsed files.
import type * as TS from "@tslab/typescript-for-tslab";
import type { DeclarationChunks } from "./declaration-chunks.cjs";
import type { DeclarationsFile } from "./declarations-file.cjs";
import type { LibBundle } from "./lib-bundle.cjs";
import { interruptibleTransforms } from "./interruptible.cjs";
import type { EmitForcingDts, InternalTs } from "./ts-internal.cjs";

export interface BuilderExtras {
  /** Files added to every program (fallback Node types, gradlab's declarations, virtual files). */
  extraRoots: string[];
  /** In-memory files, by absolute path. */
  virtualFiles: Map<string, string>;
  /** Already parsed and bound files (e.g. from a startup snapshot); reused as long as they are unchanged. */
  pinnedFiles: Map<string, TS.SourceFile>;
  /** The converter's declarations file (see declarations-file.cts). */
  declarations: DeclarationsFile;
  /** Its frozen older parts (see declaration-chunks.cts). */
  chunks: DeclarationChunks;
}

export interface LightBuilder {
  getProgram(): TS.Program;
  getProgramOrUndefined(): TS.Program;
  getCompilerOptions(): TS.CompilerOptions;
  getSourceFile(fileName: string): TS.SourceFile | undefined;
  getSourceFiles(): readonly TS.SourceFile[];
  emit(
    sourceFile: TS.SourceFile | undefined,
    writeFile: TS.WriteFileCallback | undefined,
    cancellationToken: TS.CancellationToken | undefined,
    emitOnlyDtsFiles: boolean | undefined,
    transformers: TS.CustomTransformers | undefined,
  ): TS.EmitResult;
  getAllDependencies(sourceFile: TS.SourceFile): readonly string[];
}

export type LightCreateProgram = (
  rootNames: readonly string[] | undefined,
  options: TS.CompilerOptions | undefined,
  host: TS.CompilerHost | undefined,
  oldBuilder: LightBuilder | undefined,
) => LightBuilder;

export function lightBuilderFactory(
  ts: InternalTs,
  extras: BuilderExtras,
  onProgram: (program: TS.Program) => void,
  /** The lib bundle holding the compiler's libs and `extra` ones (see lib-bundle.cts). */
  lib: (extra: readonly string[]) => LibBundle,
): LightCreateProgram {
  let libBundle = lib([]);
  extras.virtualFiles.set(libBundle.fileName, libBundle.text);
  const virtualSources = new Map<string, TS.SourceFile>();
  const interruptible = interruptibleTransforms(ts);

  function virtualSource(fileName: string, languageVersion: TS.ScriptTarget | TS.CreateSourceFileOptions): TS.SourceFile | undefined {
    const text = extras.virtualFiles.get(fileName);
    if (text === undefined) return undefined;
    const cached = virtualSources.get(fileName);
    if (cached && cached.text === text) return cached;
    const created = ts.createSourceFile(fileName, text, languageVersion, false);
    virtualSources.set(fileName, created);
    return created;
  }

  function unchangedSource(host: TS.CompilerHost, fileName: string, parse: () => TS.SourceFile | undefined): TS.SourceFile | undefined {
    return fileName === extras.declarations.path ? extras.declarations.get(ts, host.readFile(fileName), parse) : parse();
  }

  /** A pinned file; for an in-memory one, only while its text is still the same. */
  function pinnedSource(fileName: string): TS.SourceFile | undefined {
    const file = extras.pinnedFiles.get(fileName);
    if (!file) return undefined;
    const text = extras.virtualFiles.get(fileName);
    return text === undefined || text === file.text ? file : undefined;
  }

  /**
   * The imports of a pinned file as resolved when it was pinned. A restored kernel's first
   * program has no old program to take them from, and resolving gradlab's declarations anew
   * (each relative import probes several extensions on disk) cost about 40 ms of its first
   * reply. Pinned files are unchanged on disk, and their imports do not depend on the notebook.
   */
  function pinnedResolutions(file: TS.SourceFile, literals: readonly TS.StringLiteralLike[]): TS.ResolvedModuleWithFailedLookupLocations[] | undefined {
    if (extras.pinnedFiles.get(file.fileName) !== file) return undefined;
    const known = (file as TS.SourceFile & { resolvedModules?: ResolvedModules }).resolvedModules;
    if (!known) return undefined;
    const found: TS.ResolvedModuleWithFailedLookupLocations[] = [];
    for (const literal of literals) {
      const resolution = known.get(literal.text, ts.getModeForUsageLocation(file, literal));
      if (!resolution) return undefined;
      found.push(resolution);
    }
    return found;
  }

  function wrapHost(host: TS.CompilerHost): TS.CompilerHost {
    const wrapped: TS.CompilerHost = Object.create(host) as TS.CompilerHost;
    wrapped.getSourceFile = (fileName, languageVersion, onError, shouldCreate) =>
      pinnedSource(fileName) ?? virtualSource(fileName, languageVersion) ??
      unchangedSource(host, fileName, () => host.getSourceFile(fileName, languageVersion, onError, shouldCreate));
    const byPath = host.getSourceFileByPath;
    if (byPath) {
      wrapped.getSourceFileByPath = (fileName, path, languageVersion, onError, shouldCreate) =>
        pinnedSource(fileName) ?? virtualSource(fileName, languageVersion) ??
        unchangedSource(host, fileName, () => byPath.call(host, fileName, path, languageVersion, onError, shouldCreate));
    }
    const resolveLiterals = host.resolveModuleNameLiterals;
    if (resolveLiterals) {
      wrapped.resolveModuleNameLiterals = (literals, containingFile, redirected, options, containingSourceFile, reused) =>
        pinnedResolutions(containingSourceFile, literals) ??
        resolveLiterals.call(host, literals, containingFile, redirected, options, containingSourceFile, reused);
    }
    wrapped.fileExists = (fileName) => extras.virtualFiles.has(fileName) || host.fileExists(fileName);
    wrapped.readFile = (fileName) => extras.virtualFiles.get(fileName) ?? host.readFile(fileName);
    return wrapped;
  }

  return (rootNames, options, host, oldBuilder) => {
    if (rootNames === undefined || options === undefined || host === undefined) {
      // The watcher asks for a rebuild without changes only after config-file errors (none here).
      if (!oldBuilder) throw new Error("light builder: nothing to rebuild from");
      return oldBuilder;
    }
    const create = (): TS.Program =>
      ts.createProgram({
        // The lib first, where TypeScript puts its default library files.
        rootNames: [libBundle.fileName, ...rootNames, ...extras.extraRoots],
        options,
        host: wrapHost(host),
        oldProgram: oldBuilder?.getProgram(),
      });
    let program = create();
    const missing = missingLibs(program, libBundle.libs);
    if (missing.length > 0) {
      // A package asked for a lib beyond the compiler's (`/// <reference lib="dom" />`), which
      // noLib would ignore: the bundle grows to hold it.
      extras.virtualFiles.delete(libBundle.fileName);
      libBundle = lib([...libBundle.libs, ...missing]);
      extras.virtualFiles.set(libBundle.fileName, libBundle.text);
      program = create();
    }
    extras.chunks.link(program, extras.declarations.path);
    // Binding the root files is all that completion and quick info need of a program at first.
    // The type checker (the costly part: it merges every global of lib, @types/node, …) is
    // created only if this program is checked or emitted.
    for (const name of rootNames) {
      const file = program.getSourceFile(name);
      if (file && !(file as TS.SourceFile & { locals?: unknown }).locals) ts.bindSourceFile(file, options);
    }
    onProgram(program);
    return {
      getProgram: () => program,
      getProgramOrUndefined: () => program,
      getCompilerOptions: () => program.getCompilerOptions(),
      getSourceFile: (fileName) => program.getSourceFile(fileName),
      getSourceFiles: () => program.getSourceFiles(),
      emit: (sourceFile, writeFile, cancellationToken, emitOnlyDtsFiles, transformers) => {
        // The converter emits ES modules and then re-parses them to convert to CommonJS, which
        // costs a second compiler run per cell. Running the CommonJS transform in the same
        // emit is equivalent and also yields one source map from the cell to the final code.
        // The interruptible transforms wrap the converter's own (see interruptible.cts).
        const withCommonJs: TS.CustomTransformers = {
          ...transformers,
          after: [...interruptible.beforeModule, ...(transformers?.after ?? []), ts.transformModule, ...interruptible.afterModule],
        };
        // forceDtsEmit: the declarations are written even where declaration emit reported
        // something (see ts-patch.cts), so a cell's names always reach the next cells.
        return (program.emit as EmitForcingDts)(sourceFile, writeFile, cancellationToken, emitOnlyDtsFiles, emitOnlyDtsFiles ? transformers : withCommonJs, true);
      },
      getAllDependencies: (sourceFile) => localDependencies(program, sourceFile),
    };
  };
}

/** Libs that files of the program reference and the bundle lacks. */
function missingLibs(program: TS.Program, have: ReadonlySet<string>): string[] {
  const missing = new Set<string>();
  for (const file of program.getSourceFiles()) {
    for (const reference of file.libReferenceDirectives) {
      const name = reference.fileName.toLowerCase();
      if (!have.has(name)) missing.add(name);
    }
  }
  return [...missing];
}

/** The file and the project files it imports, transitively (not packages, not declarations). */
function localDependencies(program: TS.Program, root: TS.SourceFile): string[] {
  const seen = new Set([root.fileName]);
  const queue = [root];
  for (let file = queue.pop(); file; file = queue.pop()) {
    const resolved = (file as TS.SourceFile & { resolvedModules?: ResolvedModules }).resolvedModules;
    resolved?.forEach((entry) => {
      const module = entry?.resolvedModule;
      if (!module || module.isExternalLibraryImport) return;
      const dep = program.getSourceFile(module.resolvedFileName);
      if (dep && !dep.isDeclarationFile && !seen.has(dep.fileName)) {
        seen.add(dep.fileName);
        queue.push(dep);
      }
    });
  }
  return [...seen];
}

/** A file's resolved imports, which TypeScript 5.0 keeps on the file (internal). */
interface ResolvedModules {
  get(name: string, mode: TS.ResolutionMode): TS.ResolvedModuleWithFailedLookupLocations | undefined;
  forEach(cb: (entry: TS.ResolvedModuleWithFailedLookupLocations | undefined) => void): void;
}
