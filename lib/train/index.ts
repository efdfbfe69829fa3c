export { fit, evaluate, type FitOptions, type EarlyStopping, type Model } from "./fit.js";
export { History } from "./history.js";
export { registerFitDisplay, type Callbacks, type EpochLogs, type BatchLogs, type TrainInfo } from "./callbacks.js";
export { accuracy, type LossName, type LossFn } from "./losses.js";
