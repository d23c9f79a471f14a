/** Duplicate party keys (duplicatePartyKeys.scenario.ts), on the embedded chain. */
import { describeDuplicatePartyKeys } from './duplicatePartyKeys.scenario.js';
import { embeddedChain, useChain } from './harness.js';

describeDuplicatePartyKeys('attack: duplicate party keys (embedded chain)', useChain(() => embeddedChain()));
