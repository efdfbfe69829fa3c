// Types of tslab's converter (node_modules/tslab/dist/converter.js), which ships without
// declarations for these internals.
import type * as TS from "@tslab/typescript-for-tslab";

export interface SourcePosition {
  offset: number;
  /** Zero-based. */
  line: number;
  /** Zero-based. */
  character: number;
}

export interface ConverterDiagnostic {
  start: SourcePosition;
  end: SourcePosition;
  messageText: string;
  category: number;
  code: number;
  /** Set when the diagnostic is in an imported local file rather than the cell. */
  fileName?: string;
}

export interface SideOutput {
  path: string;
  data: string;
}

export interface ConvertResult {
  output?: string;
  declOutput?: string;
  diagnostics: ConverterDiagnostic[];
  hasToplevelAwait?: boolean;
  sideOutputs?: SideOutput[];
  lastExpressionVar?: string;
}

export interface CompletionResult {
  start: number;
  end: number;
  candidates: string[];
  original?: TS.CompletionInfo;
}

export interface Converter {
  close(): void;
  convert(prevDecl: string, src: string): ConvertResult;
  inspect(prevDecl: string, src: string, position: number): TS.QuickInfo | undefined;
  complete(prevDecl: string, src: string, position: number): CompletionResult;
  addModule(name: string, content: string, meta?: unknown): ConverterDiagnostic[];
}

export interface ConverterModule {
  createConverter(options?: { isJS?: boolean; isBrowser?: boolean }): Converter;
  isCompleteCode(content: string): { completed: boolean; indent?: string };
}
