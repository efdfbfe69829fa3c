import { OutputCollector } from "../notebook/outputs.js";
import { sourceOf, type Notebook } from "../notebook/nbformat.js";
import type { Session } from "./session.js";

export interface RunOptions {
  /** Seconds per cell before it is interrupted. */
  timeout: number;
  /** Keep running the cells after one fails (grading); by default the run stops there. */
  continueOnError: boolean;
  log?: (line: string) => void;
}

export interface RunReport {
  cells: number;
  failed: { cell: number; error: string }[];
  seconds: number;
}

interface ErrorOutput {
  output_type: string;
  ename?: string;
  evalue?: string;
}

/** Executes a notebook's code cells in order, writing outputs and execution counts into it. */
export async function runNotebook(nb: Notebook, session: Session, options: RunOptions): Promise<RunReport> {
  const collector = new OutputCollector();
  const failed: RunReport["failed"] = [];
  const t0 = performance.now();
  let count = 0;
  for (const [i, cell] of nb.cells.entries()) {
    if (cell.cell_type !== "code") continue;
    const outputs = collector.startCell();
    cell.outputs = outputs;
    cell.execution_count = null;
    const code = sourceOf(cell);
    if (!code.trim()) continue;
    count++;
    const outcome = await session.execute(code, (m) => collector.handle(m), options.timeout * 1000);
    cell.execution_count = outcome.executionCount;
    if (outcome.status !== "ok") {
      const err = outputs.find((o) => o.output_type === "error") as ErrorOutput | undefined;
      const message =
        outcome.status === "timeout"
          ? `the cell ran longer than ${options.timeout} s and was interrupted`
          : `${err?.ename ?? "Error"}: ${err?.evalue ?? "the cell failed"}`;
      if (outcome.status === "timeout" && !err) outputs.push({ output_type: "error", ename: "TimeoutError", evalue: message, traceback: [message] });
      failed.push({ cell: i + 1, error: message });
      options.log?.(`  cell ${i + 1}: ${message}`);
      if (!options.continueOnError) break;
    }
  }
  return { cells: count, failed, seconds: (performance.now() - t0) / 1000 };
}
