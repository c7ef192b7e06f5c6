import { ConversationKinds, type GroupRole, GroupRoles } from '@chat/contracts';
import mongoose, { type Collection, type Connection, type InferSchemaType, Schema } from 'mongoose';

const COLLECTIONS = {
  messages: 'messages',
  conversations: 'conversations',
  userPresence: 'user_presence',
  formerMembers: 'former_members',
  messageHides: 'message_hides',
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
    /** 1 when sent, +1 per edit. Absent on messages stored before edits existed: 1. */
    version: { type: Number, default: 1 },
    editedAt: { type: Date, default: null },
    /** Set when deleted for everyone: the text is then "" and the earlier versions are gone. */
    deletedAt: { type: Date, default: null },
    /** Earlier versions, oldest first (the current text is `text`): people edit harassment away. */
    versions: {
      type: [new Schema({ version: Number, text: String, editedAt: Date }, { _id: false })],
      default: undefined,
    },
    reactions: {
      type: [new Schema({ emoji: String, userIds: [String] }, { _id: false })],
      default: undefined,
    },
    /** The quoted message of a reply: its first 100 code points then, "" once it is deleted for everyone. */
    replyTo: {
      type: new Schema({ id: String, seq: Number, senderId: String, text: String }, { _id: false }),
      default: undefined,
    },
    /** The position of this message's latest change in its conversation's change log. */
    changeSeq: { type: Number, default: 0 },
    /** The edits and reaction sets applied, by `[actorId, requestId]`: a replayed or retried one is applied once. */
    appliedRequests: { type: [String], default: undefined },
  },
  { versionKey: false, collection: COLLECTIONS.messages },
);
// History pages walk one conversation by seq; uniqueness also catches two writers racing for one seq.
messageSchema.index({ conversationId: 1, seq: 1 }, { unique: true });
// Unread counts: the other participant's messages newer than my read marker.
messageSchema.index({ conversationId: 1, senderId: 1, createdAt: 1 });
// The change log: a conversation's messages by their latest change.
messageSchema.index({ conversationId: 1, changeSeq: 1 });
// A deletion for everyone empties the quote in every reply to it.
messageSchema.index({ conversationId: 1, 'replyTo.id': 1 });

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
    /** When a member added to a group joined ("seen by" lists only members of a message's time); null for others. */
    joinedAt: { type: Date, default: null },
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
    /** The latest changeSeq given out: a new message, an edit, a deletion, a reaction change, a hide. */
    lastChangeSeq: { type: Number, default: 0 },
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

/**
 * A message one member deleted for themselves: hidden from them only, with the changeSeq that hid it (theirs
 * alone). Kept apart from the message so that other members' view of it, and its changeSeq, do not move.
 */
const messageHideSchema = new Schema(
  {
    /** `messageHideId(messageId, userId)`. */
    _id: { type: String, required: true },
    conversationId: { type: String, required: true },
    messageId: { type: String, required: true },
    userId: { type: String, required: true },
    changeSeq: { type: Number, required: true },
    hiddenAt: { type: Date, required: true },
  },
  { versionKey: false, collection: COLLECTIONS.messageHides },
);
// A member's change log reads their hides by changeSeq.
messageHideSchema.index({ conversationId: 1, userId: 1, changeSeq: 1 });

/** As stored: the nested arrays plain arrays, not Mongoose DocumentArrays. */
export type MessageDoc = Omit<InferSchemaType<typeof messageSchema>, 'versions' | 'reactions' | 'replyTo'> & {
  _id: string;
  versions?: Array<{ version: number; text: string; editedAt: Date }> | null;
  reactions?: Array<{ emoji: string; userIds: string[] }> | null;
  replyTo?: { id: string; seq: number; senderId: string; text: string } | null;
};
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
export type MessageHideDoc = InferSchemaType<typeof messageHideSchema> & { _id: string };
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
  MessageHide: mongoose.Model<MessageHideDoc>;
  messages: Collection<MessageDoc>;
  conversations: Collection<ConversationDoc>;
  userPresence: Collection<UserPresenceDoc>;
  formerMembers: Collection<FormerMemberDoc>;
  messageHides: Collection<MessageHideDoc>;
}

/** Binds the models to one connection; tests pass their own connection (and database). */
export function chatModels(connection: Connection): ChatModels {
  return {
    Message: connection.model<MessageDoc>('Message', messageSchema),
    Conversation: connection.model<ConversationDoc>('Conversation', conversationSchema),
    UserPresence: connection.model<UserPresenceDoc>('UserPresence', userPresenceSchema),
    FormerMember: connection.model<FormerMemberDoc>('FormerMember', formerMemberSchema),
    MessageHide: connection.model<MessageHideDoc>('MessageHide', messageHideSchema),
    messages: connection.collection<MessageDoc>(COLLECTIONS.messages),
    conversations: connection.collection<ConversationDoc>(COLLECTIONS.conversations),
    userPresence: connection.collection<UserPresenceDoc>(COLLECTIONS.userPresence),
    formerMembers: connection.collection<FormerMemberDoc>(COLLECTIONS.formerMembers),
    messageHides: connection.collection<MessageHideDoc>(COLLECTIONS.messageHides),
  };
}

/** Creates the indexes above if missing; run at start-up by the persister, which owns the writes. */
export async function ensureIndexes(models: ChatModels): Promise<void> {
  await Promise.all([
    models.Message.createIndexes(),
    models.Conversation.createIndexes(),
    models.UserPresence.createIndexes(),
    models.FormerMember.createIndexes(),
    models.MessageHide.createIndexes(),
  ]);
}
