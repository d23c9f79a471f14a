/**
 * The contract attacks of issue 10 on ONE 1-validator wasmd network, one
 * scenario after the other, each deploying its own contracts: amounts,
 * answers after expiry, duplicate party keys, the quorum changed mid-request,
 * user-decryption authorization and handle binding (the last two with anvil as
 * the fhEVM host chain). The same scenarios run on the embedded chain in their
 * own `*.test.ts`. One network for all keeps CI (2 cores) within its budget.
 * A missing wasmd fails, never skips.
 */
import { describeAmounts } from './amounts.scenario.js';
import { describeAnswerAfterExpiry } from './answerAfterExpiry.scenario.js';
import { describeDuplicatePartyKeys } from './duplicatePartyKeys.scenario.js';
import { describeHandleBinding } from './handleBinding.scenario.js';
import { useChain, wasmdChain } from './harness.js';
import { describeQuorumMidRequest } from './quorumMidRequest.scenario.js';
import { describeUserDecryptAuth } from './userDecryptAuth.scenario.js';

// Its own port range, below the ephemeral ports (32768+) freePort() hands out.
const chain = useChain(() => wasmdChain(25800));

describeAmounts('attack: owed balances of 10^18 and more, overpayment (wasmd)', chain);
// Each test makes a request and up to three answers before the expiry.
describeAnswerAfterExpiry('attack: answers after expiry (wasmd)', chain, 8);
describeDuplicatePartyKeys('attack: duplicate party keys (wasmd)', chain);
describeQuorumMidRequest('attack: quorum changed mid-request (wasmd)', chain);
describeUserDecryptAuth('attack: user-decryption authorization (wasmd)', chain, 8);
describeHandleBinding('attack: a handle bound to its key and application (wasmd)', chain);
