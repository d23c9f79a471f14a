/**
 * @module core/engine/mpc/errors
 * Errors of the threshold engine. Codes are stable strings (shared with gRPC
 * status details and the CLI). Protocol failures name the parties they blame,
 * so a caller can exclude them from later work.
 */
import { TkmsError, type TkmsErrorOptions } from '../../../common/errors.js';

/** Parameters that no protocol accepts (n < 3t+1, d too small for n, bad party id, …). */
export class MpcParameterError extends TkmsError {
  override name = 'MpcParameterError';
  constructor(shortMessage: string, options: TkmsErrorOptions = {}) {
    super('MPC_BAD_PARAMETERS', shortMessage, options);
  }
}

/** Why a robust open gave up. */
export type RobustOpenFailure =
  /** More than t shares missing or already known to be wrong. */
  | 'too-many-missing'
  /** The shares are farther than t from every degree-t sharing (more than t wrong shares). */
  | 'too-many-errors';

/**
 * Robust opening could not determine the value without risking a wrong one.
 * `missing` are parties whose share never arrived, `cheaters` those whose
 * share was proven wrong before giving up (possibly incomplete).
 */
export class RobustOpenError extends TkmsError {
  override name = 'RobustOpenError';
  constructor(
    readonly reason: RobustOpenFailure,
    readonly missing: readonly number[],
    readonly cheaters: readonly number[],
    options: TkmsErrorOptions & { index?: number } = {},
  ) {
    super(
      reason === 'too-many-missing' ? 'MPC_OPEN_TOO_MANY_MISSING' : 'MPC_OPEN_TOO_MANY_ERRORS',
      `robust open failed (${reason})${options.index === undefined ? '' : ` at value ${options.index}`}: missing [${missing.join(', ')}], wrong [${cheaters.join(', ')}]`,
      options,
    );
  }
}

/** PRSS key agreement ended with honest parties holding different keys for some set. */
export class PrssSetupError extends TkmsError {
  override name = 'PrssSetupError';
  constructor(
    readonly disputes: readonly { set: readonly number[]; parties: readonly number[] }[],
    options: TkmsErrorOptions = {},
  ) {
    super(
      'MPC_PRSS_SETUP_FAILED',
      disputes.length === 0
        ? 'PRSS setup: another party reported differing key views (outcome agreed by all honest parties)'
        : `PRSS setup: key views differ for ${disputes.length} set(s): ${disputes.map((d) => `{${d.set.join(',')}} vs parties [${d.parties.join(',')}]`).join('; ')}`,
      options,
    );
  }
}

/**
 * A preprocessing batch (Beaver triples, random bits) failed its check and was
 * discarded by every honest party. `cheaters` are the parties proven to have
 * deviated (possibly empty when the proof was not possible, see
 * `preprocessing/triples.ts`); they are excluded from later work.
 */
export class PreprocessingError extends TkmsError {
  override name = 'PreprocessingError';
  constructor(
    shortMessage: string,
    readonly cheaters: readonly number[],
    options: TkmsErrorOptions = {},
  ) {
    super('MPC_PREPROCESSING_FAILED', `${shortMessage}: blamed [${cheaters.join(', ')}]`, options);
  }
}
