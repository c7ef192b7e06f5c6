export { type BackoffOptions, DEFAULT_BACKOFF, retryDelay } from './backoff.js';
export {
  ChatClient,
  type ChatClientEvents,
  type ChatClientOptions,
  type ConnectionStatus,
  type SendAttempt,
  type SendInput,
} from './client.js';
export { DeliveredMarks } from './delivered.js';
export { ChatClientError, isChatClientError } from './errors.js';
export { ChatHttp, type TokenSource } from './http.js';
export { SeqOrder } from './ordering.js';
export { Outbox, type OutboxEntry } from './outbox.js';
export { type ChatSocket, type OpenSocketOptions, openSocket } from './socket.js';
export { type ClientState, parseState } from './state.js';
