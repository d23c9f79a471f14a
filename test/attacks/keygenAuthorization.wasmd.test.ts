/** Anyone starting keygen / keygen_preproc / crs_gen (keygenAuthorization.scenario.ts), on a 1-validator wasmd network. A missing wasmd fails, never skips. */
import { wasmdChain } from './harness.js';
import { describeKeygenAuthorization } from './keygenAuthorization.scenario.js';

describeKeygenAuthorization('attack: anyone starting keygen, keygen_preproc, crs_gen (wasmd)', () => wasmdChain(31100));
