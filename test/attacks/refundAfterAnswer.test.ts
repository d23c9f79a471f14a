/** Refund after the answer (refundAfterAnswer.scenario.ts), on the embedded chain. */
import { embeddedChain } from './harness.js';
import { describeRefundAfterAnswer } from './refundAfterAnswer.scenario.js';

describeRefundAfterAnswer('attack: refund after the answer (embedded chain)', () => embeddedChain(), 3);
