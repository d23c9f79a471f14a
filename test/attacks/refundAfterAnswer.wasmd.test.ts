/** Refund after the answer (refundAfterAnswer.scenario.ts), on a 1-validator wasmd network. A missing wasmd fails, never skips. */
import { wasmdChain } from './harness.js';
import { describeRefundAfterAnswer } from './refundAfterAnswer.scenario.js';

// Ports clear of the e2e suites (26600–30499 are used by localnet, e2e and benches).
describeRefundAfterAnswer('attack: refund after the answer (wasmd)', () => wasmdChain(31000), 10);
