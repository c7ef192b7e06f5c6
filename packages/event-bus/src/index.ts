export {
  type DeadLetter,
  EventBus,
  type EventBusOptions,
  type IncomingEvent,
  type OutgoingEvent,
  type SubscribeOptions,
} from './bus.js';
