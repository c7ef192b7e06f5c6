import { Error as MongooseError, mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from './database-errors.js';

const serverError = (code: number) => new mongo.MongoServerError({ message: `code ${code}`, code, ok: 0 });

describe('isTransientDatabaseError', () => {
  it.each([
    ['a dropped connection', new mongo.MongoNetworkError('connection closed')],
    ['a network timeout', new mongo.MongoNetworkTimeoutError('timed out')],
    ['no server to select', new mongo.MongoServerSelectionError('connect ECONNREFUSED', {} as never)],
    ['a closed client', new mongo.MongoTopologyClosedError()],
    ['a shutdown in progress', serverError(91)],
    ['a primary stepping down', serverError(189)],
    ['a write concern timeout', serverError(64)],
  ])('retries %s', (_name, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it('retries an error the server or driver labelled retryable', () => {
    const error = serverError(1);
    error.addErrorLabel(mongo.MongoErrorLabel.RetryableWriteError);
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ['a duplicate key', serverError(11000)],
    ['a document that fails validation', serverError(121)],
    ["Mongoose's validation", new MongooseError.ValidationError()],
    ['a bug of ours', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['something that is not an error', 'text'],
  ])('does not retry %s', (_name, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});
