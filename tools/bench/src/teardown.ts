import { constants } from 'node:os';
import { log } from './log.js';

interface Step {
  label: string;
  run: () => Promise<void>;
}

/**
 * What a run started and must stop (targets, the bench's database, the local stack when the run started it),
 * stopped newest first: when it is done with, at the end, after an error, and on Ctrl-C or SIGTERM (then the
 * process exits once everything is stopped). Each step runs at most once.
 */
export class Teardown {
  private readonly steps: Step[] = [];
  private signal: NodeJS.Signals | null = null;

  /** Registers how to stop something just started; the returned function stops it now (once). */
  add(label: string, run: () => Promise<void>): () => Promise<void> {
    const step = { label, run };
    this.steps.push(step);
    return () => this.runStep(step);
  }

  /** Set once SIGINT or SIGTERM arrived: start nothing new. */
  get interrupted(): boolean {
    return this.signal !== null;
  }

  /** Runs every step still registered, newest first, including any registered while it runs. */
  async runAll(): Promise<void> {
    for (let step = this.steps.at(-1); step; step = this.steps.at(-1)) await this.runStep(step);
  }

  /** On SIGINT or SIGTERM: stop everything registered, then exit with 128 + the signal's number. */
  exitOnSignals(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      // Ctrl-C arrives twice (from the terminal's process group, and relayed by the tsx wrapper): one teardown.
      if (this.signal) return;
      this.signal = signal;
      log(`${signal}: stopping what this run started`);
      void this.runAll().finally(() => process.exit(128 + constants.signals[signal]));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  private async runStep(step: Step): Promise<void> {
    const index = this.steps.indexOf(step);
    if (index === -1) return;
    this.steps.splice(index, 1);
    try {
      await step.run();
    } catch (error) {
      log(`could not stop ${step.label}: ${(error as Error).message}`);
    }
  }
}
