// Orders outgoing messages and merges consecutive `stream` chunks of the same cell, so a loop
// that prints thousands of lines costs a few messages instead of thousands, while every
// output still reaches the frontend before the reply and the `idle` status that follow it.
import type { ReplyChannel } from "./bridge.js";
import type { JupyterMessage } from "./message.js";

export interface Outgoing {
  channel: ReplyChannel;
  identities: Uint8Array[];
  message: JupyterMessage;
}

const MAX_MERGED_TEXT = 64 * 1024;

export class Outbox {
  private pending: Outgoing | null = null;
  private flushScheduled = false;

  constructor(
    private readonly deliver: (out: Outgoing) => void,
    /** Called once after a burst of messages, to flush merged text soon but not at once. */
    private readonly scheduleFlush: (flush: () => void) => void,
  ) {}

  push(out: Outgoing): void {
    if (isStream(out)) {
      if (this.pending && canMerge(this.pending, out)) {
        const content = this.pending.message.content as { text: string };
        content.text += (out.message.content as { text: string }).text;
        if (content.text.length >= MAX_MERGED_TEXT) this.flush();
        return;
      }
      this.flush();
      this.pending = out;
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.scheduleFlush(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
      return;
    }
    this.flush();
    this.deliver(out);
  }

  flush(): void {
    const pending = this.pending;
    this.pending = null;
    if (pending) this.deliver(pending);
  }
}

function isStream(out: Outgoing): boolean {
  return out.channel === "iopub" && out.message.header.msg_type === "stream";
}

function canMerge(a: Outgoing, b: Outgoing): boolean {
  const ca = a.message.content as { name: unknown };
  const cb = b.message.content as { name: unknown };
  return ca.name === cb.name && a.message.parent_header.msg_id === b.message.parent_header.msg_id;
}
