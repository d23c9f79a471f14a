import { describe, expect, test } from '@jest/globals';
import { TkmsError } from '../../../common/errors.js';
import { MpcParameterError, PrssSetupError, RobustOpenError } from './errors.js';

describe('mpc errors', () => {
  test('default: stable codes, TkmsError base, blame carried as data', () => {
    const open = new RobustOpenError('too-many-errors', [3], [1, 2], { index: 7 });
    expect(open).toBeInstanceOf(TkmsError);
    expect(open.code).toBe('MPC_OPEN_TOO_MANY_ERRORS');
    expect(open.shortMessage).toBe('robust open failed (too-many-errors) at value 7: missing [3], wrong [1, 2]');
    expect([open.missing, open.cheaters]).toEqual([[3], [1, 2]]);
    expect(new RobustOpenError('too-many-missing', [1, 2], []).code).toBe('MPC_OPEN_TOO_MANY_MISSING');
    const prss = new PrssSetupError([{ set: [1, 2, 3], parties: [2] }]);
    expect(prss.code).toBe('MPC_PRSS_SETUP_FAILED');
    expect(prss.message).toContain('{1,2,3} vs parties [2]');
    const cause = new Error('root');
    expect(new MpcParameterError('bad', { cause }).walk()).toBe(cause);
  });
});
