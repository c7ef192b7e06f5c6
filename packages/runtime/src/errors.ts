/**
 * What every error of ours carries, as KafkaJS's and the schema registry client's do: a stable `code` to branch
 * on (never the message), and whether trying the same thing again may succeed.
 */
export interface CodedError extends Error {
  readonly code: string;
  readonly retriable: boolean;
}

/**
 * Whether `error` says that a retry may succeed: ours, KafkaJS's, or any error with a boolean `retriable`. An
 * error whose root `cause` is retriable counts as retriable, as KafkaJS's own consumer judges it: KafkaJS gives
 * up on a retriable failure (the broker is down) with an error that is not, caused by the failure itself.
 */
export function isRetriable(error: unknown): boolean {
  if ((error as Partial<CodedError> | undefined)?.retriable === true) return true;
  let root = error;
  while (root instanceof Error && root.cause !== undefined) root = root.cause;
  return root !== error && (root as Partial<CodedError> | undefined)?.retriable === true;
}
