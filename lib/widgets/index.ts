/**
 * `widgets`: interactive controls in the Jupyter widgets protocol (ipywidgets' names), drawn by
 * JupyterLab's widget manager and synced both ways with the kernel.
 */
export { Widget, Layout, Style, type Change } from "./widget.js";
export { FloatSlider, IntSlider, FloatLogSlider, Dropdown, ToggleButtons, Checkbox, Text, Label, Play, Button, ValueWidget } from "./controls.js";
export { HBox, VBox, Output, type OutputRecord } from "./containers.js";
export { interact, Interactive } from "./interact.js";
