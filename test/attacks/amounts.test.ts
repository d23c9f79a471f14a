/** Owed balances of 10^18 and more, overpayment (amounts.scenario.ts), on the embedded chain. */
import { describeAmounts } from './amounts.scenario.js';
import { embeddedChain, useChain } from './harness.js';

describeAmounts('attack: owed balances of 10^18 and more, overpayment (embedded chain)', useChain(() => embeddedChain()));
