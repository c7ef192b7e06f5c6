export * from './avro.js';
export * from './dto.js';
export * from './errors.js';
export * from './events.js';
export * from './limits.js';
export * from './socket.js';
export * from './topics.js';
export * from './validation.js';
