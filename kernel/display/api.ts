// `display`, `clearOutput` and the display sink the library uses (DESIGN.md "Display protocol").
import { randomUUID } from "node:crypto";
import type { JsonObject } from "../wire/message.js";
import { bundleOf, isPromiseLike, normalizeBundle, type MimeBundle } from "./mime.js";
import type { OutputMessage, Outputs } from "./outputs.js";

export interface DisplayOptions {
  /** Show under this display id; showing the same id again in the same cell replaces it. */
  id?: string;
  metadata?: JsonObject;
}

export class DisplayHandle {
  constructor(
    readonly id: string,
    private readonly displays: Displays,
  ) {}

  /** Replaces every output shown with this handle's id. */
  update(value: unknown): void {
    this.displays.update(this.id, value);
  }

  /** A handle is a means to update an output; it is not itself shown as a cell result. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `DisplayHandle(${this.id})`;
  }
}

/** The interface the library looks for under Symbol.for("gradlab.displaySink"). */
export interface DisplaySink {
  display(bundle: MimeBundle, options?: { id?: string }): void;
  update(id: string, bundle: MimeBundle): void;
}

export class Displays {
  /** Display ids already shown by the running cell. */
  private shownInCell = new Set<string>();

  constructor(private readonly outputs: Outputs) {}

  /** Called when a cell starts. */
  newCell(): void {
    this.shownInCell = new Set();
  }

  display(value: unknown, options: DisplayOptions = {}): DisplayHandle {
    const id = options.id ?? randomUUID();
    const replace = options.id !== undefined && this.shownInCell.has(id);
    this.shownInCell.add(id);
    this.outputs.push(this.message(replace ? "update_display_data" : "display_data", bundleOf(value), id, options.metadata));
    return new DisplayHandle(id, this);
  }

  update(id: string, value: unknown): void {
    this.outputs.push(this.message("update_display_data", bundleOf(value), id));
  }

  clearOutput(options: { wait?: boolean } = {}): void {
    this.outputs.push({ msgType: "clear_output", content: { wait: options.wait === true } });
  }

  sink(): DisplaySink {
    return {
      display: (bundle, options) => {
        const id = options?.id ?? randomUUID();
        this.outputs.push(this.message("display_data", normalizeBundle(bundle, bundle), id));
      },
      update: (id, bundle) => {
        this.outputs.push(this.message("update_display_data", normalizeBundle(bundle, bundle), id));
      },
    };
  }

  private message(msgType: "display_data" | "update_display_data", bundle: MimeBundle | Promise<MimeBundle>, id: string, metadata: JsonObject = {}): OutputMessage | Promise<OutputMessage> {
    const make = (data: MimeBundle): OutputMessage => ({ msgType, content: { data, metadata, transient: { display_id: id } } });
    return isPromiseLike(bundle) ? Promise.resolve(bundle).then(make) : make(bundle);
  }
}
