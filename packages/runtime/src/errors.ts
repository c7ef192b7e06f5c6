/**
 * What every error of ours carries, as KafkaJS's and the schema registry client's do: a stable `code` to branch
 * on (never the message), and whether trying the same thing again may succeed.
 */
export interface CodedError extends Error {
  readonly code: string;
  readonly retriable: boolean;
}

/** Whether `error` says that a retry may succeed: ours, KafkaJS's, or any error with a boolean `retriable`. */
export function isRetriable(error: unknown): boolean {
  return (error as Partial<CodedError> | undefined)?.retriable === true;
}
