/** Answers after expiry (answerAfterExpiry.scenario.ts), on the embedded chain. */
import { describeAnswerAfterExpiry } from './answerAfterExpiry.scenario.js';
import { embeddedChain, useChain } from './harness.js';

describeAnswerAfterExpiry('attack: answers after expiry (embedded chain)', useChain(() => embeddedChain()), 3);
