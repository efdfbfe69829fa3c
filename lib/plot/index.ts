/** `plot`: figures that display themselves in a notebook and export standalone HTML elsewhere. */
export { Figure, type FigureOptions } from "./figure.js";
export { line, scatter, histogram, heatmap, images, type Series, type ScatterOptions } from "./basic.js";
export { fn, functions, type FnOptions, type Fn1 } from "./functions.js";
export { loss, live, LivePlot, fitDisplay } from "./training.js";
export { contour, surface, descentPath, decisionBoundary, type Path, type SurfaceOptions, type Fn2 } from "./surfaces.js";
export { graph, GraphFigure } from "./graph.js";
export { includePlotlyAgain } from "./html.js";

import { registerFitDisplay } from "../train/callbacks.js";
import { displaySink } from "../display/sink.js";
import { fitDisplay } from "./training.js";

// In a notebook (a display sink is installed), train.fit shows progress and a live loss curve.
registerFitDisplay(() => {
  const sink = displaySink();
  return sink ? fitDisplay(sink) : null;
});
