/**
 * The delivered markers a client owes: per conversation, the highest seq received since the last report. A
 * catch-up of 250 messages owes one marker per conversation, not 250 (which the event rate limit would refuse).
 */
export class DeliveredMarks {
  private readonly highest = new Map<string, number>();

  note(conversationId: string, seq: number): void {
    if (seq > (this.highest.get(conversationId) ?? 0)) this.highest.set(conversationId, seq);
  }

  get pending(): boolean {
    return this.highest.size > 0;
  }

  /** The markers to send now, one per conversation; they are no longer owed. */
  take(): Array<{ conversationId: string; seq: number }> {
    const marks = [...this.highest].map(([conversationId, seq]) => ({ conversationId, seq }));
    this.highest.clear();
    return marks;
  }
}
