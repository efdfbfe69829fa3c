import type { History } from "./history.js";

export interface EpochLogs {
  epoch: number;
  loss: number;
  valLoss?: number;
  accuracy?: number;
  valAccuracy?: number;
  lr: number;
  seconds: number;
}

export interface BatchLogs {
  epoch: number;
  batch: number;
  loss: number;
}

export interface TrainInfo {
  epochs: number;
  batchesPerEpoch: number;
  examples: number;
  hasValidation: boolean;
  metrics: string[];
}

/** Hooks into the training loop: progress displays, live plots, custom logging, schedules. */
export interface Callbacks {
  onTrainBegin?(info: TrainInfo): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs): void | Promise<void>;
  onEpochEnd?(logs: EpochLogs): void | Promise<void>;
  onTrainEnd?(history: History): void | Promise<void>;
}

const displayFactories: (() => Callbacks | null)[] = [];

/**
 * Registers what `fit` shows by default (a progress bar and live loss curve in a notebook).
 * The factory runs once per `fit` and may return null when there is nowhere to display.
 */
export function registerFitDisplay(factory: () => Callbacks | null): void {
  displayFactories.push(factory);
}

export function defaultDisplays(): Callbacks[] {
  return displayFactories.map((f) => f()).filter((c): c is Callbacks => c !== null);
}
