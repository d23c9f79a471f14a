/** The quorum changed mid-request (quorumMidRequest.scenario.ts), on the embedded chain. */
import { embeddedChain, useChain } from './harness.js';
import { describeQuorumMidRequest } from './quorumMidRequest.scenario.js';

describeQuorumMidRequest('attack: quorum changed mid-request (embedded chain)', useChain(() => embeddedChain()));
