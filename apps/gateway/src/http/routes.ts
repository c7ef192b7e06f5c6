import {
  conversationHistoryQuerySchema,
  conversationParamsSchema,
  conversationQuerySchema,
  inboxQuerySchema,
  messageHistoryQuerySchema,
} from '@chat/contracts';
import {
  type ChatModels,
  findConversationAccess,
  findConversationById,
  findConversationMessagePage,
  findInboxPage,
  findMessagePage,
  findOneToOneConversation,
} from '@chat/storage';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { z } from 'zod';
import { verifyAccessToken } from '../auth/verify-token.js';
import type { GatewayConfig } from '../config.js';
import { AppError, assertOtherUser } from '../errors.js';
import {
  emptyOneToOneDto,
  toConversationDto,
  toInboxEntryDto,
  toMessagePageResponse,
} from './conversation-dtos.js';
import { InboxCursors } from './inbox-cursors.js';

interface Authenticated {
  userId: string;
}

function bearerToken(request: Request): string | undefined {
  const header = request.headers.authorization;
  const match = header?.match(/^Bearer\s+(.+)$/i);
  return match?.[1];
}

function requireUser(config: GatewayConfig) {
  return (request: Request, response: Response<unknown, Authenticated>, next: NextFunction) => {
    response.locals.userId = verifyAccessToken(bearerToken(request), config.jwt).userId;
    next();
  };
}

function parseQuery<T extends z.ZodType>(schema: T, request: Request): z.infer<T> {
  return parse(schema, request.query);
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw AppError.validation(parsed.error);
  return parsed.data;
}

/**
 * A conversation named in the path, as the caller may see it. 404 alike for an unknown id and for a
 * conversation the caller never belonged to: whether two other users talk is nobody else's business.
 */
async function accessOf(models: ChatModels, request: Request, userId: string) {
  const { conversationId } = parse(conversationParamsSchema, request.params);
  const access = await findConversationAccess(models, conversationId, userId);
  if (typeof access === 'string') throw new AppError('noSuchConversation');
  return access;
}

/** /api/v1/chat routes; handlers stay thin: validate, call storage reads, answer. Errors go to the error handler. */
export function chatRoutes(deps: { config: GatewayConfig; models: ChatModels }): Router {
  const router = Router();
  const cursors = new InboxCursors(deps.config.cursorSecret.value);
  router.use(requireUser(deps.config));
  // A body is read only once the caller is authenticated.
  router.use(express.json({ limit: deps.config.httpMaxBodyBytes }));

  router.post('/convo/one-to-one', async (request, response: Response<unknown, Authenticated>) => {
    const { userId } = response.locals;
    const { otherUserId } = parseQuery(conversationQuerySchema, request);
    assertOtherUser(userId, otherUserId);
    const view = await findOneToOneConversation(deps.models, userId, otherUserId);
    response.json({ conversation: view ? toConversationDto(view) : emptyOneToOneDto(userId, otherUserId) });
  });

  router.get('/convo/one-to-one/message', async (request, response: Response<unknown, Authenticated>) => {
    const { otherUserId, from, after, limit } = parseQuery(messageHistoryQuerySchema, request);
    assertOtherUser(response.locals.userId, otherUserId);
    const page = await findMessagePage(deps.models, response.locals.userId, otherUserId, {
      from,
      after,
      limit,
    });
    response.json(toMessagePageResponse(page));
  });

  router.get('/convo/:conversationId', async (request, response: Response<unknown, Authenticated>) => {
    const access = await accessOf(deps.models, request, response.locals.userId);
    const view = await findConversationById(deps.models, access, response.locals.userId);
    response.json({ conversation: toConversationDto(view) });
  });

  router.get(
    '/convo/:conversationId/message',
    async (request, response: Response<unknown, Authenticated>) => {
      const query = parseQuery(conversationHistoryQuerySchema, request);
      const access = await accessOf(deps.models, request, response.locals.userId);
      const { conversation, untilSeq } = access;
      const page = await findConversationMessagePage(deps.models, conversation._id, query, untilSeq);
      response.json(toMessagePageResponse(page));
    },
  );

  router.get('/convo', async (request, response: Response<unknown, Authenticated>) => {
    const { userId } = response.locals;
    const { cursor, limit, updatedSince } = parseQuery(inboxQuerySchema, request);
    const opened = cursor === undefined ? undefined : cursors.open(userId, cursor);
    if (cursor !== undefined && opened === undefined) {
      throw new AppError('unknownCursor', {
        details: [{ path: 'cursor', message: 'must be a nextCursor from a previous page' }],
      });
    }
    const { conversations, next } = await findInboxPage(deps.models, userId, {
      cursor: opened,
      limit,
      updatedSince: updatedSince === undefined ? undefined : new Date(updatedSince),
    });
    response.json({
      conversations: conversations.map((view) => toInboxEntryDto(view, userId)),
      nextCursor: next && cursors.seal(userId, next),
    });
  });

  return router;
}
