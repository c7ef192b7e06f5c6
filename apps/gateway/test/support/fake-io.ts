import { userRoom } from '../../src/rooms.js';
import type { ChatServer } from '../../src/socket/server.js';

/** One emit as the users it reached (sorted), the event and its body. */
export type Reached = [string[], string, unknown];

/**
 * The part of Socket.IO's local adapter the delivery code uses (rooms of socket ids, joins, leaves, broadcasts
 * with exceptions), in memory, for unit tests: it records which users each emit reached.
 */
export class FakeIo {
  readonly emits: Reached[] = [];
  private readonly rooms = new Map<string, Set<string>>();
  private readonly userOf = new Map<string, string>();

  /** A socket of `userId` connects here and joins its user room, as authentication does. */
  connect(userId: string, socketId = `${userId}#${this.userOf.size}`): this {
    this.userOf.set(socketId, userId);
    this.join(socketId, userRoom(userId));
    return this;
  }

  /** The users whose sockets are in `room`, sorted. */
  usersIn(room: string): string[] {
    return this.usersOf(this.socketsIn([room]));
  }

  get server(): ChatServer {
    const namespace = {
      adapter: { rooms: this.rooms },
      sockets: new Map(
        [...this.userOf].map(([socketId, userId]) => [
          socketId,
          { data: { userId }, leave: (room: string) => this.leave(socketId, room) },
        ]),
      ),
    };
    return {
      of: () => namespace,
      sockets: namespace,
      in: (rooms: string | string[]) => ({
        socketsJoin: (room: string) => {
          for (const socketId of this.socketsIn(rooms)) this.join(socketId, room);
        },
      }),
      to: (rooms: string | string[]) => this.broadcast(rooms, []),
    } as unknown as ChatServer;
  }

  private broadcast(rooms: string | string[], except: string[]) {
    return {
      except: (more: string | string[]) => this.broadcast(rooms, [...except, ...[more].flat()]),
      emit: (event: string, body: unknown) => {
        const excluded = this.socketsIn(except);
        const reached = [...this.socketsIn(rooms)].filter((socketId) => !excluded.has(socketId));
        this.emits.push([this.usersOf(reached), event, body]);
      },
    };
  }

  private socketsIn(rooms: string | string[]): Set<string> {
    return new Set([rooms].flat().flatMap((room) => [...(this.rooms.get(room) ?? [])]));
  }

  private usersOf(socketIds: Iterable<string>): string[] {
    return [...new Set([...socketIds].map((socketId) => this.userOf.get(socketId) as string))].sort();
  }

  private join(socketId: string, room: string): void {
    this.rooms.set(room, (this.rooms.get(room) ?? new Set()).add(socketId));
  }

  private leave(socketId: string, room: string): void {
    const sockets = this.rooms.get(room);
    sockets?.delete(socketId);
    if (sockets?.size === 0) this.rooms.delete(room);
  }
}
