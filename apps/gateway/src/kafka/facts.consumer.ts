import {
  audienceOf,
  CommandsByTopic,
  type DeliveredFact,
  KafkaHeaders,
  Topics,
  toConversationUpdatedDto,
  toDeliveredReceiptDto,
  toMessageDto,
  toMessageUpdatedDto,
  toReadReceiptDto,
} from '@chat/contracts';
import type { BatchHandler, BatchHandlers, EventBus } from '@chat/event-bus';
import type { ConversationMembers } from '../conversations/conversation-members.js';
import { DeliveredSeqs } from '../messaging/delivered-seqs.js';
import { conversationAudience, userRoom } from '../rooms.js';
import type { ChatServer } from '../socket/server.js';
import type { TypingService } from '../typing/typing-service.js';
import type { CommandRequests } from './command-requests.js';

/**
 * Each gateway reads the facts delivered to it (its delivery topic: the facts told to a user with a socket here,
 * the answers to its own commands, and the typing changes of conversations with a member here; new records
 * only): it first answers the requests it holds, then delivers to the sockets of the fact's audience connected
 * here. (Presence has a consumer of its own: every gateway reads every presence record, as its routing table.)
 */
export function consumeFacts(deps: {
  bus: EventBus;
  io: ChatServer;
  members: ConversationMembers;
  requests: CommandRequests;
  typing: Pick<TypingService, 'onChanged'>;
  gatewayId: string;
  groupId: string;
}) {
  // About 100 bytes a conversation: the conversations active in the last minutes of a busy gateway.
  const delivered = new DeliveredSeqs(100_000);
  // A fact that only answers its command (nothing to push to anyone) needs no entry here.
  const deliveries: { [T in DeliveredFact]?: BatchHandler<T> } = {
    [Topics.messagePersisted]: async (events) => {
      for (const { value } of events) {
        const audience = conversationAudience(
          deps.io,
          value.conversationId,
          audienceOf(Topics.messagePersisted, value),
        );
        // Most facts concern no socket of this gateway; a replayed one was delivered already.
        if (!audience || !delivered.firstDelivery(value.conversationId, value.seq)) continue;
        audience.emit('message:new', toMessageDto(value));
      }
    },
    [Topics.conversationReadPersisted]: async (events) => {
      for (const { value } of events) {
        const told = audienceOf(Topics.conversationReadPersisted, value);
        conversationAudience(deps.io, value.conversationId, told)?.emit(
          'conversation:read',
          toReadReceiptDto(value),
        );
      }
    },
    [Topics.messageDeliveredPersisted]: async (events) => {
      for (const { value } of events) {
        const told = audienceOf(Topics.messageDeliveredPersisted, value);
        conversationAudience(deps.io, value.conversationId, told)?.emit(
          'conversation:delivered',
          toDeliveredReceiptDto(value),
        );
      }
    },
    [Topics.messageChangePersisted]: async (events) => {
      for (const { value } of events) {
        if (value.refusal !== null) continue;
        // A deletion for the actor only is theirs alone: their own sockets, on every gateway, learn of it.
        if (value.scope === 'me') {
          deps.io
            .to(userRoom(value.actorId))
            .emit('message:hidden', { conversationId: value.conversationId, messageId: value.messageId });
          continue;
        }
        for (const message of value.messages) {
          conversationAudience(deps.io, value.conversationId, message.memberIds)?.emit(
            'message:updated',
            toMessageUpdatedDto(value.action, message),
          );
        }
      }
    },
    [Topics.groupChangePersisted]: async (events) => {
      for (const { value } of events) {
        // A refusal, or a change that changed nothing (a repeated removal, an add of members already in),
        // concerns only its requester: nobody else is told, and the membership view stays as it is.
        const told = audienceOf(Topics.groupChangePersisted, value);
        if (told.length === 0) continue;
        const participantIds = value.participants.map((participant) => participant.userId);
        deps.members.update(value.conversationId, participantIds);
        // Membership changes go to user rooms: a removed member is told too, and leaves the conversation's room.
        conversationAudience(deps.io, value.conversationId, participantIds);
        deps.io.to(told.map(userRoom)).emit('conversation:updated', toConversationUpdatedDto(value));
      }
    },
  };
  const handlers: BatchHandlers = {
    ...Object.fromEntries(
      Object.values(CommandsByTopic).map(({ answer: { topic: answer } }) => [
        answer,
        settlingFirst(answer, deps.requests, deliveries[answer] as BatchHandler<typeof answer> | undefined),
      ]),
    ),
    [Topics.typingChanged]: async (events) => {
      for (const { value } of events) deps.typing.onChanged(value);
    },
  };
  return deps.bus.subscribeDeliveries(deps.gatewayId, {
    groupId: deps.groupId,
    fromBeginning: false,
    commitOffsets: false,
    handlers,
  });
}

/** The requests a batch of facts answers are settled before anything is delivered, so no delivery can hold them. */
function settlingFirst<T extends DeliveredFact>(
  topic: T,
  requests: CommandRequests,
  deliver: BatchHandler<T> | undefined,
): BatchHandler<T> {
  return async (events, deadLetter) => {
    for (const { value, headers } of events)
      requests.settle(topic, headers[KafkaHeaders.correlationId], value);
    await deliver?.(events, deadLetter);
  };
}
