export { EventBus, type EventBusOptions } from './bus.js';
export { EventNotEncodableError, isEncodingError } from './codec.js';
export {
  type BatchHandler,
  type BatchHandlers,
  type DeadLetter,
  type IncomingEvent,
  type OutgoingEvent,
  replyHeaders,
  type SubscribeOptions,
} from './events.js';
export { DecodeError, type DecodeErrorCode, HandlerError, RETRY_POLICY } from './failures.js';
export { type GroupStatus, GroupWatch, judgeGroup } from './group-watch.js';
