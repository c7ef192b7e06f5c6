import type { StackConfig } from '../config.js';

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** One process of the local stack: how to install it, launch it and tell that it is ready. */
export interface StackService {
  readonly name: string;
  /** The setting that moves its port, named in "port in use" errors. */
  readonly portSetting: string;
  port(config: StackConfig): number;
  /** Downloads or builds into the cache; a no-op once cached. */
  install(config: StackConfig): Promise<void>;
  /** Prepares its data folder and returns how to start it; the arguments must contain `dataDir`. */
  prepare(config: StackConfig, dataDir: string): Promise<LaunchSpec>;
  /** One readiness probe: true once it serves real requests. */
  isReady(config: StackConfig): Promise<boolean>;
  readonly startTimeoutMs: number;
}

export function javaCommand(): string {
  return process.env.JAVA_HOME ? `${process.env.JAVA_HOME}/bin/java` : 'java';
}
