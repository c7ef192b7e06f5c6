import {
  changesQuerySchema,
  conversationHistoryQuerySchema,
  conversationParamsSchema,
  conversationQuerySchema,
  inboxQuerySchema,
  messageHistoryQuerySchema,
  messageParamsSchema,
} from '@chat/contracts';
import {
  type ChatModels,
  findChangePage,
  findConversationAccess,
  findConversationById,
  findConversationMessage,
  findConversationMessagePage,
  findInboxPage,
  findMessagePage,
  findOneToOneConversation,
  messageReceipts,
  messageVersions,
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
  toVersionsResponse,
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
  return accessTo(models, conversationId, userId);
}

async function accessTo(models: ChatModels, conversationId: string, userId: string) {
  const access = await findConversationAccess(models, conversationId, userId);
  if (typeof access === 'string') throw new AppError('noSuchConversation');
  return access;
}

/**
 * A message named in the path, for a member of its conversation: a removed member is FORBIDDEN, and a message
 * that is not the conversation's is NOT_FOUND.
 */
async function memberMessageOf(models: ChatModels, request: Request, userId: string) {
  const { conversationId, messageId } = parse(messageParamsSchema, request.params);
  const { conversation, untilSeq } = await accessTo(models, conversationId, userId);
  if (untilSeq !== undefined) throw new AppError('notAMember');
  const message = await findConversationMessage(models, conversationId, messageId);
  if (!message) throw new AppError('noSuchMessage');
  return { conversation, message };
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
      const page = await findConversationMessagePage(
        deps.models,
        conversation._id,
        response.locals.userId,
        query,
        untilSeq,
      );
      response.json(toMessagePageResponse(page));
    },
  );

  router.get(
    '/convo/:conversationId/changes',
    async (request, response: Response<unknown, Authenticated>) => {
      const query = parseQuery(changesQuerySchema, request);
      const { conversation, untilSeq } = await accessOf(deps.models, request, response.locals.userId);
      const page = await findChangePage(
        deps.models,
        conversation._id,
        response.locals.userId,
        query,
        untilSeq,
      );
      response.json(toMessagePageResponse(page));
    },
  );

  // What members may learn of one message: "seen by", and every version of its text.
  const aboutMessage = {
    receipts: ({ conversation, message }: Awaited<ReturnType<typeof memberMessageOf>>) =>
      messageReceipts(conversation, message),
    versions: ({ message }: Awaited<ReturnType<typeof memberMessageOf>>) =>
      toVersionsResponse(messageVersions(message)),
  };
  for (const [name, answer] of Object.entries(aboutMessage)) {
    router.get(
      `/convo/:conversationId/message/:messageId/${name}`,
      async (request, response: Response<unknown, Authenticated>) => {
        response.json(answer(await memberMessageOf(deps.models, request, response.locals.userId)));
      },
    );
  }

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
