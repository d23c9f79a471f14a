/** A handle taken through another application or under another key (handleBinding.scenario.ts), on the embedded chain with anvil as the fhEVM host chain. */
import { describeHandleBinding } from './handleBinding.scenario.js';
import { embeddedChain, useChain } from './harness.js';

describeHandleBinding('attack: a handle bound to its key and application (embedded chain)', useChain(() => embeddedChain()));
