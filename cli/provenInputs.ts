/**
 * @module cli/provenInputs
 * Which CRS the CLI proved a handle against (`tkms encrypt --prove` records it
 * in the CLI home's state), so `tkms decrypt` and `tkms user-decrypt` name it
 * without the user having to.
 */
import { TkmsError } from '../common/errors.js';
import type { CliContext } from './context.js';

/** The CRS of handles `tkms encrypt --prove` stored from this CLI home: all of them or none (one request verifies against one CRS). */
export function provenCrsOf(c: CliContext, handles: readonly string[]): string | undefined {
  const known = c.state().provenInputs ?? {};
  const crs = new Set(handles.map((h) => known[h]));
  if (crs.size === 1) return [...crs][0];
  throw new TkmsError('MIXED_INPUTS', 'some handles are proven inputs and some are not, or they were proven against different CRSs', {
    details: 'decrypt them in separate requests, or name the CRS with --crs-id',
  });
}
