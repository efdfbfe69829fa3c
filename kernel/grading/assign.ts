import { basename } from "node:path";
import { readNotebook, sourceOf, toSourceLines, writeNotebook, type Notebook } from "../notebook/nbformat.js";
import { cellKey, isHidden, stripSolutions, BEGIN } from "./markers.js";

/**
 * The student copy of an instructor notebook: solutions become stubs, hidden-test cells go,
 * outputs are cleared, and cell ids are kept so `grade` can put the hidden tests back.
 */
export function makeStudentCopy(source: Notebook, name: string): Notebook {
  let solutions = 0;
  const cells = source.cells
    .map((c, i) => [c, i] as const)
    .filter(([c]) => !isHidden(c))
    .map(([c, i]) => {
      const cell = structuredClone(c);
      cell.id = cellKey(c, i);
      if (cell.cell_type === "code") {
        const text = sourceOf(cell);
        if (text.includes(BEGIN)) solutions++;
        cell.source = toSourceLines(stripSolutions(text, `${name}, cell ${i + 1}`));
        cell.outputs = [];
        cell.execution_count = null;
      }
      return cell;
    });
  if (solutions === 0) throw new Error(`${name}: no "${BEGIN}" markers found; is this the instructor's version?`);
  return { ...structuredClone(source), cells, metadata: { ...source.metadata, gradlab: { assignment: name } } };
}

/** `gradlab assign SOURCE -o STUDENT` */
export function assign(sourcePath: string, outPath: string): { cells: number; removedHidden: number } {
  const source = readNotebook(sourcePath);
  const student = makeStudentCopy(source, basename(sourcePath));
  writeNotebook(outPath, student);
  return { cells: student.cells.length, removedHidden: source.cells.length - student.cells.length };
}
