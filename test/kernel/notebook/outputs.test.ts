import { describe, expect, it } from "vitest";
import { OutputCollector } from "../../../kernel/notebook/outputs.js";

describe("OutputCollector builds nbformat outputs like a frontend", () => {
  it("merges stream text, keeps results and errors", () => {
    const c = new OutputCollector();
    const outs = c.startCell();
    c.handle({ msg_type: "stream", content: { name: "stdout", text: "a" } });
    c.handle({ msg_type: "stream", content: { name: "stdout", text: "b\n" } });
    c.handle({ msg_type: "stream", content: { name: "stderr", text: "!" } });
    c.handle({ msg_type: "execute_result", content: { execution_count: 4, data: { "text/plain": "2" }, metadata: {} } });
    c.handle({ msg_type: "error", content: { ename: "ShapeError", evalue: "bad", traceback: ["t"] } });
    expect(outs).toEqual([
      { output_type: "stream", name: "stdout", text: "ab\n" },
      { output_type: "stream", name: "stderr", text: "!" },
      { output_type: "execute_result", execution_count: 4, data: { "text/plain": "2" }, metadata: {} },
      { output_type: "error", ename: "ShapeError", evalue: "bad", traceback: ["t"] },
    ]);
  });

  it("update_display_data rewrites the output with that id, even in an earlier cell", () => {
    const c = new OutputCollector();
    const first = c.startCell();
    c.handle({ msg_type: "display_data", content: { data: { "text/plain": "0%" }, metadata: {}, transient: { display_id: "bar" } } });
    const second = c.startCell();
    c.handle({ msg_type: "update_display_data", content: { data: { "text/plain": "100%" }, metadata: {}, transient: { display_id: "bar" } } });
    expect(first[0]!["data"]).toEqual({ "text/plain": "100%" });
    expect(second).toEqual([]);
  });

  it("clear_output clears now, or with wait when the next output comes", () => {
    const c = new OutputCollector();
    const outs = c.startCell();
    c.handle({ msg_type: "stream", content: { name: "stdout", text: "x" } });
    c.handle({ msg_type: "clear_output", content: { wait: true } });
    expect(outs).toHaveLength(1);
    c.handle({ msg_type: "stream", content: { name: "stdout", text: "y" } });
    expect(outs).toEqual([{ output_type: "stream", name: "stdout", text: "y" }]);
    c.handle({ msg_type: "clear_output", content: { wait: false } });
    expect(outs).toEqual([]);
  });
});
