// The host the library's widgets talk through (lib/widgets/host.ts): a comm on target
// `jupyter.widget` per widget (Jupyter widgets protocol 2.1, as ipywidgets 8 speaks it), tasks
// the kernel runs in turn with requests, and where a failing widget callback is reported.
import type { Comms } from "./comm.js";
import { runtimeError } from "./exec/errors.js";
import { guarded } from "./exec/guard.js";
import type { Outputs } from "./display/outputs.js";
import { kernelLog } from "./log.js";
import type { JsonObject } from "./wire/message.js";

const WIDGET_HOST = Symbol.for("gradlab.widgetHost");
const WIDGET_ERROR = Symbol.for("gradlab.widgetError");
const PROTOCOL_VERSION = "2.1.0";

export function installWidgetHost(comms: Comms, outputs: Outputs, schedule: (task: () => Promise<void>) => void): void {
  const g = globalThis as Record<symbol, unknown>;
  g[WIDGET_HOST] = {
    open(state: JsonObject, receive: (message: JsonObject) => void | Promise<void>) {
      const comm = comms.openFromKernel("jupyter.widget", { state, buffer_paths: [] }, { version: PROTOCOL_VERSION });
      // Observers and click callbacks are user code: an interrupt must stop them as it stops a cell.
      comm.onMessage((data) => guarded(() => receive(data)));
      return { id: comm.id, send: (data: JsonObject) => comm.send(data) };
    },
    schedule,
    guard: guarded,
  };
  // A callback of a widget threw (an observer, a button's onClick): shown as an error output of
  // the request that made it run, and logged; the widget keeps working.
  g[WIDGET_ERROR] = (error: unknown) => {
    kernelLog(`a widget callback failed: ${error instanceof Error ? error.message : String(error)}`);
    outputs.push({ msgType: "error", content: { ...runtimeError(error) } });
  };
}
