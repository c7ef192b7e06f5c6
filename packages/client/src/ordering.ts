import type { HiddenMessageDto, MessageDto } from '@chat/contracts';

/** What a conversation's stream holds: its messages, and stubs of those the user deleted for themselves. */
export type StreamEntry = MessageDto | HiddenMessageDto;

/**
 * One conversation's stream of messages as the client emits it: each seq once, in order. Messages come from
 * live pushes, acks, and history pages, in any order and any number of times; `add` hands back those that are
 * next in line and holds the rest until the missing seqs arrive.
 *
 * A conversation first seen has no baseline (`lastSeq` undefined): nothing is emitted until `start` says where
 * the client's view of it begins, since a live message with seq 500 says nothing about whether 1–499 are ours to
 * emit.
 */
export class SeqOrder {
  private last: number | undefined;
  private readonly held = new Map<number, StreamEntry>();

  constructor(lastSeq?: number) {
    this.last = lastSeq;
  }

  /** The highest seq emitted (or the baseline); undefined before `start`. */
  get lastSeq(): number | undefined {
    return this.last;
  }

  /** Messages held for a missing seq (or for the baseline). */
  get waiting(): boolean {
    return this.held.size > 0;
  }

  add(message: StreamEntry): StreamEntry[] {
    if ((this.last !== undefined && message.seq <= this.last) || this.held.has(message.seq)) return [];
    this.held.set(message.seq, message);
    return this.release(false);
  }

  /** Sets the baseline of a conversation first seen: seqs up to `afterSeq` are not emitted. */
  start(afterSeq: number): StreamEntry[] {
    if (this.last === undefined) this.last = afterSeq;
    return this.release(false);
  }

  /**
   * The server has nothing between `lastSeq` and the held messages (a removed member's view ends, history was
   * cut): stop waiting and emit what is held, in order.
   */
  skipGaps(): StreamEntry[] {
    return this.release(true);
  }

  private release(overGaps: boolean): StreamEntry[] {
    if (this.last === undefined) return [];
    const out: StreamEntry[] = [];
    for (const seq of [...this.held.keys()].sort((a, b) => a - b)) {
      const message = this.held.get(seq) as StreamEntry;
      if (seq <= this.last) {
        this.held.delete(seq);
        continue;
      }
      if (seq !== this.last + 1 && !overGaps) break;
      this.held.delete(seq);
      this.last = seq;
      out.push(message);
    }
    return out;
  }
}
