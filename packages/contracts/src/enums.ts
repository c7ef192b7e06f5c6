/**
 * The closed sets of names the processes share, each written once: MongoDB's schema, the Avro enums, the zod
 * schemas and the TypeScript types are all built from these.
 */

export const ConversationKinds = ['one_to_one', 'group'] as const;
export type ConversationKind = (typeof ConversationKinds)[number];

/** A group member's role; a 1-1 conversation's participants have none. */
export const GroupRoles = ['admin', 'member'] as const;
export type GroupRole = (typeof GroupRoles)[number];

/** What a `group.change` command does, and what its fact and `conversation:updated` report. */
export const GroupActions = ['create', 'add', 'remove'] as const;
export type GroupAction = (typeof GroupActions)[number];

/** What a `message.change` command does to a message. */
export const MessageChangeActions = ['edit', 'delete', 'react'] as const;
export type MessageChangeAction = (typeof MessageChangeActions)[number];

/** Whom a deletion hides the message from: everyone (a tombstone), or only the one who deletes it. */
export const DeleteScopes = ['everyone', 'me'] as const;
export type DeleteScope = (typeof DeleteScopes)[number];

/** What `message:updated` reports. */
export const MessageUpdateKinds = ['edit', 'delete', 'reactions'] as const;
export type MessageUpdateKind = (typeof MessageUpdateKinds)[number];
