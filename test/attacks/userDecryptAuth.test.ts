/** Attacks on the user-decryption authorization (userDecryptAuth.scenario.ts), on the embedded chain with anvil as the fhEVM host chain. */
import { embeddedChain, useChain } from './harness.js';
import { describeUserDecryptAuth } from './userDecryptAuth.scenario.js';

describeUserDecryptAuth('attack: user-decryption authorization (embedded chain)', useChain(() => embeddedChain()), 4);
