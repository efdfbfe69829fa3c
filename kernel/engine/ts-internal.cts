// The parts of tslab's TypeScript build (5.0) that the kernel uses beyond the public API.
import type * as TS from "@tslab/typescript-for-tslab";

export type TsModule = typeof TS;

export type InternalTs = TsModule & {
  /** TypeScript's CommonJS module transformer (internal, exported by the 5.0 bundle). */
  transformModule: TS.TransformerFactory<TS.SourceFile>;
  /** Binds one file (internal; a no-op for a file bound before). */
  bindSourceFile(file: TS.SourceFile, options: TS.CompilerOptions): void;
  /** Async functions → generators + __awaiter (internal). */
  transformES2017: TS.TransformerFactory<TS.SourceFile>;
  /** Lib names (`es2015.core`) to their file names (internal). */
  libMap?: Map<string, string>;
  /** Lib names in the order a program lists lib files (internal). */
  libs?: readonly string[];
};

/** Program.emit with its internal sixth parameter: write declarations even where their emit reported errors. */
export type EmitForcingDts = (
  targetSourceFile: TS.SourceFile | undefined,
  writeFile: TS.WriteFileCallback | undefined,
  cancellationToken: TS.CancellationToken | undefined,
  emitOnlyDtsFiles: boolean | undefined,
  customTransformers: TS.CustomTransformers | undefined,
  forceDtsEmit: boolean,
) => TS.EmitResult;

export function asInternal(ts: TsModule): InternalTs {
  const internal = ts as InternalTs;
  if (typeof internal.transformModule !== "function" || typeof internal.transformES2017 !== "function") {
    throw new Error(`TypeScript ${ts.version} does not expose transformModule/transformES2017; the kernel needs tslab's TypeScript 5.0 build`);
  }
  return internal;
}
