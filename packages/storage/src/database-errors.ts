import { Error as MongooseError, mongo } from 'mongoose';

/**
 * Server error codes that say "not now" (a failover, a shutdown, a timeout), never "not this document": the
 * retryable-reads list of MongoDB's driver specifications, and a write concern that timed out.
 */
const TRANSIENT_SERVER_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  64, // WriteConcernFailed (wtimeout)
  89, // NetworkTimeout
  91, // ShutdownInProgress
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * Whether a database failure may pass on a later attempt: the server cannot be reached or went away, a
 * connection dropped, a failover or shutdown is under way. The event bus retries such failures until they pass
 * and never dead-letters a record for them. Expects the connection to run without Mongoose's command buffering
 * (`bufferCommands: false`): buffered operations fail with a plain MongooseError that says nothing typed.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (error instanceof MongooseError.MongooseServerSelectionError) return true;
  if (!(error instanceof mongo.MongoError)) return false;
  if (
    error instanceof mongo.MongoNetworkError ||
    error instanceof mongo.MongoServerSelectionError ||
    error instanceof mongo.MongoNotConnectedError ||
    error instanceof mongo.MongoTopologyClosedError ||
    error.hasErrorLabel(mongo.MongoErrorLabel.RetryableWriteError) ||
    error.hasErrorLabel(mongo.MongoErrorLabel.ResetPool) ||
    error.hasErrorLabel(mongo.MongoErrorLabel.TransientTransactionError)
  ) {
    return true;
  }
  const code =
    error instanceof mongo.MongoWriteConcernError ? error.result.writeConcernError.code : error.code;
  return TRANSIENT_SERVER_CODES.has(Number(code));
}
