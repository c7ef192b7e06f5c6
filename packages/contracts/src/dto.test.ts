import { describe, expect, it } from 'vitest';
import {
  conversationDtoSchema,
  conversationUpdatedDtoSchema,
  deliveredReceiptDtoSchema,
  messageDtoSchema,
  messageUpdatedDtoSchema,
  participantDtoSchema,
  readReceiptDtoSchema,
  toConversationUpdatedDto,
  toDeliveredReceiptDto,
  toMessageDto,
  toMessageUpdatedDto,
  toNewGroupDto,
  toParticipantDto,
  toReadReceiptDto,
} from './dto.js';
import type { GroupChangePersisted } from './events.js';
import { messagePersisted } from './fixtures.js';

const at = Date.UTC(2030, 0, 2, 3, 4, 5, 6);

const message = messagePersisted({ id: 'm1', conversationId: 'grp_1', recipientId: null, createdAt: at });

const change: GroupChangePersisted = {
  conversationId: 'grp_1',
  actorId: 'alice',
  action: 'add',
  userIds: ['bob'],
  name: 'team',
  participants: [
    { userId: 'alice', role: 'admin', lastReadAt: at, lastDeliveredSeq: 3 },
    { userId: 'bob', role: 'member', lastReadAt: null, lastDeliveredSeq: 0 },
  ],
  createdAt: at,
  refusal: null,
};

// The schemas are strict: a mapping that sends a field more or less than its schema fails here, not in a client.
describe('the fact → DTO mappings', () => {
  it('produce exactly what their schemas describe', () => {
    expect(messageDtoSchema.parse(toMessageDto(message))).toEqual({
      ...message,
      memberIds: undefined,
      editedAt: undefined,
      deletedAt: undefined,
      replyTo: undefined,
      createdAt: '2030-01-02T03:04:05.006Z',
    });
    const changed = {
      ...message,
      version: 2,
      editedAt: at,
      deletedAt: at,
      reactions: [{ emoji: '👍', userIds: ['bob'] }],
      replyTo: { id: 'm0', seq: 1, senderId: 'bob', text: '' },
      changeSeq: 7,
    };
    expect(messageUpdatedDtoSchema.parse(toMessageUpdatedDto('react', changed))).toMatchObject({
      change: 'reactions',
      message: { editedAt: '2030-01-02T03:04:05.006Z', replyTo: changed.replyTo, changeSeq: 7 },
    });
    const updated = conversationUpdatedDtoSchema.parse(toConversationUpdatedDto(change));
    expect(conversationDtoSchema.parse(toNewGroupDto(updated)).participants).toEqual(updated.participants);
    readReceiptDtoSchema.parse(
      toReadReceiptDto({
        conversationId: 'grp_1',
        readerId: 'bob',
        otherUserId: null,
        lastReadAt: at,
        memberIds: [],
      }),
    );
    deliveredReceiptDtoSchema.parse(
      toDeliveredReceiptDto({ conversationId: 'grp_1', userId: 'bob', lastDeliveredSeq: 2, memberIds: [] }),
    );
  });

  it('map a participant alike whether stored (Date, markers maybe unset) or carried by a fact (epoch ms)', () => {
    const fromFact = toParticipantDto({ userId: 'a', role: 'admin', lastReadAt: at, lastDeliveredSeq: 0 });
    const stored = toParticipantDto({ userId: 'a', role: 'admin', lastReadAt: new Date(at) });
    expect(stored).toEqual(fromFact);
    expect(participantDtoSchema.parse(fromFact)).toEqual(fromFact);
    // A 1-1 participant has no role, and one who never read has no time.
    expect(toParticipantDto({ userId: 'b', role: null, lastReadAt: null })).toEqual({
      userId: 'b',
      lastReadAt: null,
      lastDeliveredSeq: 0,
    });
  });
});
