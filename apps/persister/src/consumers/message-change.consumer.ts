import {
  type ErrorMessageKey,
  type MessageChange,
  type MessageChangePersisted,
  messageChangeCommandSchema,
  Topics,
} from '@chat/contracts';
import type { BatchHandler } from '@chat/event-bus';
import {
  applyMessageChange,
  type ChatModels,
  type ConversationHeads,
  type MessageChangeRefusal,
  type MessageChangeResult,
  toPersisted,
} from '@chat/storage';
import type { Answer, Answers } from '../answers.js';
import type { SerialWriter } from '../serial-writer.js';

/**
 * The catalogued reason the gateway answers each refusal with. Someone who never was a member is told exactly
 * what an unknown message is: naming a message must not tell whether it exists.
 */
const refusalReasons = {
  'no-such-conversation': 'noSuchMessage',
  'no-such-message': 'noSuchMessage',
  'not-a-member': 'notAMember',
  'not-the-sender': 'notYourMessage',
  'edit-window-closed': 'editWindowClosed',
  deleted: 'messageDeleted',
} as const satisfies Record<MessageChangeRefusal, ErrorMessageKey>;

/** The `message.change.persisted` fact of an applied (or refused) command. */
export function messageChangeFact(
  command: MessageChange,
  result: MessageChangeResult,
): MessageChangePersisted {
  const { conversationId, messageId, actorId, action, scope } = command;
  const fact = { conversationId, messageId, actorId, action, scope, messages: [], refusal: null };
  if ('refused' in result) return { ...fact, refusal: refusalReasons[result.refused] };
  if ('hidden' in result) return fact;
  return {
    ...fact,
    messages: [result.message, ...result.replies].map((message) => toPersisted(message, result.memberIds)),
  };
}

/**
 * message.change → the message edited, deleted or its reactions set → message.change.persisted with the
 * message after it (or the refusal). Changes go through the same writer as message writes, one at a time: a
 * conversation's changeSeqs are then given out by one writer in this process, and the heads of the
 * conversations they touch, whose `lastChangeSeq` moved, are forgotten. A command that breaks its schema is set
 * aside.
 */
export function handleMessageChange(deps: {
  answers: Answers;
  models: ChatModels;
  writer: SerialWriter;
  heads: ConversationHeads;
  editWindowMs: number;
}): BatchHandler<typeof Topics.messageChange> {
  return async (events, deadLetter) => {
    const stored: Answer<typeof Topics.messageChange>[] = [];
    for (const command of events) {
      const checked = messageChangeCommandSchema.safeParse(command.value);
      if (!checked.success) {
        const issues = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
        await deadLetter(command, `invalid command: ${issues.join('; ')}`);
        continue;
      }
      const result = await deps.writer.exclusive(async () => {
        deps.heads.forget([command.value.conversationId]);
        return applyMessageChange(deps.models, command.value, deps.editWindowMs);
      });
      stored.push({ command, fact: messageChangeFact(command.value, result) });
    }
    await deps.answers.publish(Topics.messageChange, stored);
  };
}
