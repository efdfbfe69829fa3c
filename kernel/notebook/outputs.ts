/**
 * Turns kernel output messages into nbformat outputs, as a notebook frontend does: consecutive
 * stream text merges, `update_display_data` rewrites every output with that display id (in any
 * cell run so far), and `clear_output` with `wait` clears when the next output arrives.
 */
export type NbOutput = Record<string, unknown> & { output_type: string };

export interface IOPubMessage {
  msg_type: string;
  content: Record<string, unknown>;
}

export class OutputCollector {
  private readonly byDisplayId = new Map<string, NbOutput[]>();
  private current: NbOutput[] = [];
  private clearPending = false;

  /** Starts collecting the outputs of the next cell. */
  startCell(): NbOutput[] {
    this.current = [];
    this.clearPending = false;
    return this.current;
  }

  handle(msg: IOPubMessage): void {
    const c = msg.content;
    switch (msg.msg_type) {
      case "stream":
        this.flushClear();
        this.stream(String(c["name"] ?? "stdout"), String(c["text"] ?? ""));
        break;
      case "display_data":
      case "execute_result": {
        this.flushClear();
        const out: NbOutput =
          msg.msg_type === "execute_result"
            ? { output_type: "execute_result", execution_count: c["execution_count"] ?? null, data: c["data"] ?? {}, metadata: c["metadata"] ?? {} }
            : { output_type: "display_data", data: c["data"] ?? {}, metadata: c["metadata"] ?? {} };
        this.current.push(out);
        const id = (c["transient"] as { display_id?: string } | undefined)?.display_id;
        if (id) {
          const list = this.byDisplayId.get(id) ?? [];
          list.push(out);
          this.byDisplayId.set(id, list);
        }
        break;
      }
      case "update_display_data": {
        const id = (c["transient"] as { display_id?: string } | undefined)?.display_id;
        for (const out of (id && this.byDisplayId.get(id)) || []) {
          out["data"] = c["data"] ?? {};
          out["metadata"] = c["metadata"] ?? {};
        }
        break;
      }
      case "error":
        this.flushClear();
        this.current.push({ output_type: "error", ename: c["ename"] ?? "Error", evalue: c["evalue"] ?? "", traceback: c["traceback"] ?? [] });
        break;
      case "clear_output":
        if (c["wait"]) this.clearPending = true;
        else this.current.length = 0;
        break;
      default:
        break;
    }
  }

  private flushClear(): void {
    if (this.clearPending) {
      this.current.length = 0;
      this.clearPending = false;
    }
  }

  private stream(name: string, text: string): void {
    const last = this.current[this.current.length - 1];
    if (last && last.output_type === "stream" && last["name"] === name) last["text"] = String(last["text"]) + text;
    else this.current.push({ output_type: "stream", name, text });
  }
}
