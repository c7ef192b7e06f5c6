export {
  type BatchHandler,
  type BatchHandlers,
  type DeadLetter,
  EventBus,
  type EventBusOptions,
  type IncomingEvent,
  type OutgoingEvent,
  type SubscribeOptions,
} from './bus.js';
