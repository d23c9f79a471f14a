/** Anyone starting keygen / keygen_preproc / crs_gen (keygenAuthorization.scenario.ts), on the embedded chain. */
import { embeddedChain } from './harness.js';
import { describeKeygenAuthorization } from './keygenAuthorization.scenario.js';

describeKeygenAuthorization('attack: anyone starting keygen, keygen_preproc, crs_gen (embedded chain)', () => embeddedChain());
