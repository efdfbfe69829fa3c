export { Optimizer } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { RMSProp, type RMSPropOptions } from "./rmsprop.js";
export { Adam, type AdamOptions } from "./adam.js";
export { Schedule, StepDecay, ExponentialDecay, InverseTimeDecay, CosineDecay } from "./schedules.js";
