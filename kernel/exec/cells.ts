// Every compiled cell, by its script file name, so stack frames can be mapped back to cell lines.
import { SourceMap } from "node:module";

export interface CellPosition {
  /** 1-based line in the cell. */
  line: number;
  /** 1-based column in the cell. */
  column: number;
}

export interface CompiledCell {
  /** What users see, e.g. `In[5]`. */
  label: string;
  /** The script name V8 reports in stack frames. */
  file: string;
  code: string;
  /** Lines the kernel's wrapper adds before the compiled cell. */
  headerLines: number;
  /** Lines of compiled cell code; later lines are the kernel's wrapper. */
  codeLines: number;
  /** Parsed when a stack frame first needs it: most cells never throw. */
  readonly map: SourceMap | null;
}

const SOURCE_MAP_COMMENT = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

export class CellRegistry {
  private readonly cells = new Map<string, CompiledCell>();

  register(cell: Omit<CompiledCell, "map" | "codeLines">, compiledJs: string): CompiledCell {
    let map: SourceMap | null | undefined;
    const entry: CompiledCell = {
      ...cell,
      codeLines: compiledJs.split("\n").length,
      get map() {
        if (map === undefined) map = parseInlineMap(compiledJs);
        return map;
      },
    };
    this.cells.set(cell.file, entry);
    return entry;
  }

  get(file: string): CompiledCell | undefined {
    return this.cells.get(file);
  }

  /** Maps a 1-based line/column of the script to the cell, or null if it is kernel-made code. */
  toCell(cell: CompiledCell, line: number, column: number): CellPosition | null {
    const generatedLine = line - 1 - cell.headerLines;
    if (!cell.map || generatedLine < 0 || generatedLine >= cell.codeLines) return null;
    const entry = cell.map.findEntry(generatedLine, column - 1) as {
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalLine === undefined || entry.originalColumn === undefined) return null;
    // The converter compiles "export {};\n" + the cell, so original line 1 is cell line 1.
    const cellLine = entry.originalLine;
    if (cellLine < 1) return null;
    return { line: cellLine, column: entry.originalColumn + 1 };
  }
}

function parseInlineMap(js: string): SourceMap | null {
  const match = SOURCE_MAP_COMMENT.exec(js);
  if (!match) return null;
  try {
    return new SourceMap(JSON.parse(Buffer.from(match[1]!, "base64").toString("utf8")) as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    return null;
  }
}
