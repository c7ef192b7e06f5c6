import { z } from 'zod';
import { type ErrorBody, errorBodySchema } from './errors.js';

/** Every ack has one shape: success with a payload, or a catalogued error. */
export type Ack<T extends object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };

/** The zod schema of an ack whose success carries `result`: what the AsyncAPI document describes. */
export function ackSchema(result: z.ZodObject) {
  return z.union([
    z.strictObject({ ok: z.literal(true) }).extend(result.shape),
    z.strictObject({ ok: z.literal(false), error: errorBodySchema }),
  ]);
}

/** An entry of the socket event table. */
export interface SocketEventSpec {
  event: string;
  toServer?: ToServer;
  toClient?: ToClient;
}

/** A client event: its payload's schema, what its ack carries on success, and what the documents say of it. */
export interface ToServer {
  payload: z.ZodType;
  ack: z.ZodObject;
  /** Acks that clients may leave out (the event is a hint; a failure is only logged). */
  ackOptional?: true;
  summary?: string;
  ackSummary?: string;
}

/** A server event: its payload, and the id of its message in the AsyncAPI channel. */
export interface ToClient {
  payload: z.ZodType;
  message: 'message' | 'update' | 'receipt' | 'notice';
  summary?: string;
}

/** The ack of an event whose success carries nothing but `ok: true`. */
export const noResult = z.strictObject({});
