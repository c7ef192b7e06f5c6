/** Baseline 1: acks and delivers at once, no auth check, no Kafka, no database; the transport's ceiling. */
import { runBaselineServer, unstoredMessage } from './common.js';

let seq = 0;
await runBaselineServer('relay', async (senderId, payload) => unstoredMessage(senderId, payload, ++seq));
