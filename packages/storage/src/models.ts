import { ConversationKinds, type GroupRole, GroupRoles } from '@chat/contracts';
import mongoose, { type Collection, type Connection, type InferSchemaType, Schema } from 'mongoose';

const COLLECTIONS = {
  messages: 'messages',
  conversations: 'conversations',
  userPresence: 'user_presence',
  formerMembers: 'former_members',
} as const;

const messageSchema = new Schema(
  {
    _id: { type: String, required: true },
    conversationId: { type: String, required: true },
    senderId: { type: String, required: true },
    /** The other user of a 1-1 message; null in a group. */
    recipientId: { type: String, default: null },
    clientMessageId: { type: String, required: true },
    text: { type: String, required: true },
    seq: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    /** Set when this message is a rewarded reply (replied.in.24hr.first); `publishedAt` once the event is out. */
    replyReward: {
      type: new Schema(
        { repliedToMessageId: String, replyDelayMs: Number, publishedAt: { type: Date, default: null } },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { versionKey: false, collection: COLLECTIONS.messages },
);
// History pages walk one conversation by seq; uniqueness also catches two writers racing for one seq.
messageSchema.index({ conversationId: 1, seq: 1 }, { unique: true });
// Unread counts: the other participant's messages newer than my read marker.
messageSchema.index({ conversationId: 1, senderId: 1, createdAt: 1 });

const participantSchema = new Schema(
  {
    userId: { type: String, required: true },
    /** In a group: `admin` or `member`; absent in a 1-1 conversation. */
    role: { type: String, enum: GroupRoles, default: undefined },
    lastReadAt: { type: Date, default: null },
    /** The highest seq this participant's devices reported received; moves forward only. */
    lastDeliveredSeq: { type: Number, default: 0 },
    /** Start of this participant's current 24 h reply-reward window. */
    lastReplyRewardAt: { type: Date, default: null },
    /** Set while this participant muted the conversation: no notifications until `until` (null: until unmuted). */
    mute: {
      type: new Schema({ until: { type: Date, default: null } }, { _id: false }),
      default: undefined,
    },
  },
  { _id: false },
);

const lastMessageSchema = new Schema(
  {
    id: String,
    senderId: String,
    recipientId: String,
    clientMessageId: String,
    text: String,
    seq: Number,
    createdAt: Date,
  },
  { _id: false },
);

const conversationSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ConversationKinds, required: true },
    /** A group's name. */
    name: { type: String, default: undefined },
    /** The current members: who receives, and whose inbox lists it. */
    participantIds: { type: [String], required: true },
    participants: { type: [participantSchema], required: true },
    /** Members removed from a group, each with the last seq they may still read. */
    formerMembers: {
      type: [new Schema({ userId: String, untilSeq: Number }, { _id: false })],
      default: undefined,
    },
    lastSeq: { type: Number, required: true, default: 0 },
    lastMessage: { type: lastMessageSchema, default: null },
    createdAt: { type: Date, required: true },
    /** Time of the latest message: the inbox's order. */
    lastActivityAt: { type: Date, required: true },
    /** Time of the latest change of any kind (message or read marker): what catch-up compares. */
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: COLLECTIONS.conversations },
);
// The inbox: my conversations by latest activity; catch-up: my conversations changed since.
conversationSchema.index({ participantIds: 1, lastActivityAt: -1, _id: -1 });
conversationSchema.index({ participantIds: 1, updatedAt: 1 });

const userPresenceSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** When the user was last connected anywhere (their last socket closed, or their gateway died). */
    lastSeenAt: { type: Date, required: true },
  },
  { versionKey: false, collection: COLLECTIONS.userPresence },
);

/**
 * A group as a removed member last saw it: the participants (with their markers) right after their latest
 * removal. Kept apart from the conversation so a group with a long history of departures stays small.
 */
const formerMemberSchema = new Schema(
  {
    /** `formerMemberId(conversationId, userId)`: one document per group and former member, the latest removal. */
    _id: { type: String, required: true },
    conversationId: { type: String, required: true },
    userId: { type: String, required: true },
    untilSeq: { type: Number, required: true },
    removedAt: { type: Date, required: true },
    participants: { type: [participantSchema], required: true },
  },
  { versionKey: false, collection: COLLECTIONS.formerMembers },
);

export type MessageDoc = InferSchemaType<typeof messageSchema> & { _id: string };
export type ParticipantDoc = InferSchemaType<typeof participantSchema> & { role?: GroupRole | null };
/** As stored (what the driver reads and writes): participants are a plain array, not a Mongoose DocumentArray. */
export type ConversationDoc = Omit<
  InferSchemaType<typeof conversationSchema>,
  'participants' | 'formerMembers'
> & {
  _id: string;
  participants: ParticipantDoc[];
  formerMembers?: Array<{ userId: string; untilSeq: number }> | null;
};
export type UserPresenceDoc = InferSchemaType<typeof userPresenceSchema> & { _id: string };
export type FormerMemberDoc = Omit<InferSchemaType<typeof formerMemberSchema>, 'participants'> & {
  _id: string;
  participants: ParticipantDoc[];
};

/**
 * The Mongoose models (the one place that declares fields and indexes) and, for the hot paths, the same
 * collections as typed driver collections: the driver's own API, with filters and updates checked against the
 * document types the schemas infer, and without Mongoose's per-document casting.
 */
export interface ChatModels {
  Message: mongoose.Model<MessageDoc>;
  Conversation: mongoose.Model<ConversationDoc>;
  UserPresence: mongoose.Model<UserPresenceDoc>;
  FormerMember: mongoose.Model<FormerMemberDoc>;
  messages: Collection<MessageDoc>;
  conversations: Collection<ConversationDoc>;
  userPresence: Collection<UserPresenceDoc>;
  formerMembers: Collection<FormerMemberDoc>;
}

/** Binds the models to one connection; tests pass their own connection (and database). */
export function chatModels(connection: Connection): ChatModels {
  return {
    Message: connection.model<MessageDoc>('Message', messageSchema),
    Conversation: connection.model<ConversationDoc>('Conversation', conversationSchema),
    UserPresence: connection.model<UserPresenceDoc>('UserPresence', userPresenceSchema),
    FormerMember: connection.model<FormerMemberDoc>('FormerMember', formerMemberSchema),
    messages: connection.collection<MessageDoc>(COLLECTIONS.messages),
    conversations: connection.collection<ConversationDoc>(COLLECTIONS.conversations),
    userPresence: connection.collection<UserPresenceDoc>(COLLECTIONS.userPresence),
    formerMembers: connection.collection<FormerMemberDoc>(COLLECTIONS.formerMembers),
  };
}

/** Creates the indexes above if missing; run at start-up by the persister, which owns the writes. */
export async function ensureIndexes(models: ChatModels): Promise<void> {
  await Promise.all([
    models.Message.createIndexes(),
    models.Conversation.createIndexes(),
    models.UserPresence.createIndexes(),
    models.FormerMember.createIndexes(),
  ]);
}
