import type { Logger } from '@chat/runtime';
import { addMembers, createGroup, type GroupChangeDeps, removeMember } from '../groups/group-changes.js';
import type { ClientHandlers } from './server.js';
import { withAck } from './with-ack.js';

/** `group:create`, `group:add-members`, `group:remove-member`: each acked once the change is stored. */
export function createGroupHandlers(
  deps: GroupChangeDeps & { logger: Logger },
): Pick<ClientHandlers, 'group:create' | 'group:add-members' | 'group:remove-member'> {
  return {
    'group:create': withAck('group:create', deps.logger, (socket, payload) =>
      createGroup(deps, socket.data.userId, payload),
    ),
    'group:add-members': withAck('group:add-members', deps.logger, (socket, payload) =>
      addMembers(deps, socket.data.userId, payload),
    ),
    'group:remove-member': withAck('group:remove-member', deps.logger, (socket, payload) =>
      removeMember(deps, socket.data.userId, payload),
    ),
  };
}
