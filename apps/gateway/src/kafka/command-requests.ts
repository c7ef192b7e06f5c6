import { randomUUID } from 'node:crypto';
import {
  type AnswerOf,
  type AnswerTopic,
  CommandsByTopic,
  type CommandTopic,
  commandKey,
  type EventsByTopic,
  KafkaHeaders,
} from '@chat/contracts';
import { type EventBus, isEncodingError } from '@chat/event-bus';
import { AppError } from '../errors.js';

interface Waiter {
  command: CommandTopic;
  resolve: (answer: never) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Commands this gateway published and waits on, by correlation id: one map for every command of
 * `@chat/contracts`' `Commands` table. Every gateway reads every answering fact; only the one holding the
 * correlation id settles it.
 */
export class CommandRequests {
  private readonly waiters = new Map<string, Waiter>();

  constructor(
    private readonly deps: {
      bus: Pick<EventBus, 'publish'>;
      /** This gateway: the persister delivers each answer here (the `origin-gateway` header). */
      gatewayId: string;
      /** How long a request waits for its answer before it is told to retry. */
      timeoutMs: number;
      /**
       * True when nobody would answer a command published now (no persister is running): such requests fail at
       * once with `noPersister` instead of waiting out the timeout.
       */
      answererAbsent?: () => boolean | Promise<boolean>;
    },
  ) {}

  /** Requests waiting, by command topic (each command appears, waiting or not). */
  pendingByCommand(): Record<CommandTopic, number> {
    const counts = Object.fromEntries(Object.keys(CommandsByTopic).map((topic) => [topic, 0])) as Record<
      CommandTopic,
      number
    >;
    for (const { command } of this.waiters.values()) counts[command] += 1;
    return counts;
  }

  get size(): number {
    return this.waiters.size;
  }

  /**
   * Publishes `command` on `topic` and resolves with the fact that answers it, or fails with UNAVAILABLE when
   * Kafka does not take the command or no answer comes within the timeout (whichever is first): the command may
   * be retried. A command that cannot be encoded fails with that error as it is (INTERNAL for the client, and
   * logged): sending it again would fail again.
   */
  async request<C extends CommandTopic>(topic: C, command: EventsByTopic[C]): Promise<AnswerOf<C>> {
    if (await this.deps.answererAbsent?.()) throw new AppError('noPersister');
    const correlationId = randomUUID();
    const answer = new Promise<AnswerOf<C>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(correlationId);
        reject(new AppError(CommandsByTopic[topic].timeout));
      }, this.deps.timeoutMs);
      this.waiters.set(correlationId, { command: topic, resolve, reject, timer });
    });
    // Not awaited: a publish stuck on an unreachable broker must not hold the request past its timeout.
    this.deps.bus
      .publish(topic, [
        {
          key: commandKey(topic, command),
          headers: {
            [KafkaHeaders.correlationId]: correlationId,
            [KafkaHeaders.originGateway]: this.deps.gatewayId,
          },
          value: command,
        },
      ])
      .catch((error: unknown) =>
        this.take(correlationId)?.reject(
          isEncodingError(error) ? error : new AppError('UNAVAILABLE', { cause: error }),
        ),
      );
    return answer;
  }

  /** Whether a request of this gateway waits for `correlationId`. */
  has(correlationId: string | undefined): boolean {
    return correlationId !== undefined && this.waiters.has(correlationId);
  }

  /** Resolves the request a fact of `topic` answers, if this gateway holds it and it waits for that topic. */
  settle<T extends AnswerTopic<CommandTopic>>(
    topic: T,
    correlationId: string | undefined,
    answer: EventsByTopic[T],
  ): void {
    if (correlationId === undefined) return;
    const waiter = this.waiters.get(correlationId);
    if (waiter === undefined || CommandsByTopic[waiter.command].answer.topic !== topic) return;
    this.take(correlationId)?.resolve(answer as never);
  }

  /** On shutdown: everyone still waiting is told to retry (their command may still take effect). */
  failAll(error: AppError): void {
    for (const correlationId of [...this.waiters.keys()]) this.take(correlationId)?.reject(error);
  }

  private take(correlationId: string): Waiter | undefined {
    const waiter = this.waiters.get(correlationId);
    if (!waiter) return undefined;
    clearTimeout(waiter.timer);
    this.waiters.delete(correlationId);
    return waiter;
  }
}
