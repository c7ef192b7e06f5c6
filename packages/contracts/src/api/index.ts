export { asyncApiDocument } from './asyncapi.js';
export { ApiDocPaths, openApiDocument } from './openapi.js';
export { componentSchemas } from './schemas.js';
