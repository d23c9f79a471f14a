/**
 * @module core/service/zk/_toolAnswer
 * What tkms-tfhe-zk answers (one JSON line per operation, tools/tfhe-zk/src/main.rs)
 * and how it maps to TKMS: failure codes to TkmsError codes, success items to
 * the expanded values read back from the output directory. Shared by the
 * one-shot wrapper (tfheZkTool.ts) and the long-lived one (tfheZkServer.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TkmsError } from '../../../common/errors.js';
import { isFheType, type FheType } from '../../../common/fheTypes.js';
import { repoRoot } from '../../../common/paths.js';

/** Environment variable naming the binary; otherwise `<repo>/.cache/tfhe-zk/bin/tkms-tfhe-zk`. */
export const TFHE_ZK_BIN_ENV = 'TKMS_TFHE_ZK_BIN';

export interface ExpandedValue {
  fheType: FheType;
  /** The value's `safe_serialize` bytes (e.g. 66,101 for an euint8). */
  ciphertext: Uint8Array;
}

interface ToolItem {
  index: number;
  fheType: string;
  file: string;
}
export type ToolSuccess = {
  ok: true;
  items?: ToolItem[];
  file?: string;
  timingsMs?: Record<string, number>;
  serverKeyCached?: boolean;
  /** `oprf` only: the type made, its random bits, and which bootstrapping key it used (`dedicated` or `pbs`). */
  fheType?: string;
  randomBits?: number;
  oprfKey?: string;
};
export type ToolFailure = { ok: false; code: string; input?: string; message: string };
export type ToolAnswer = ToolSuccess | ToolFailure;

/** Where the tool is, or ZK_TOOL_MISSING telling how to build it. */
export function tfheZkToolPath(binary?: string): string {
  const fromEnv = process.env[TFHE_ZK_BIN_ENV];
  const candidate = binary ?? (fromEnv && fromEnv.length > 0 ? fromEnv : path.join(repoRoot(), '.cache', 'tfhe-zk', 'bin', 'tkms-tfhe-zk'));
  if (!existsSync(candidate)) {
    throw new TkmsError('ZK_TOOL_MISSING', `the proof verifier tkms-tfhe-zk is not built (looked for ${candidate})`, {
      details: `run \`make tfhe-zk\` (needs cargo), or set ${TFHE_ZK_BIN_ENV} to the binary`,
    });
  }
  return candidate;
}

/** One answer line, or undefined if it is not one. */
export function parseAnswer(line: string | undefined): ToolAnswer | undefined {
  if (!line) return undefined;
  try {
    const v = JSON.parse(line) as unknown;
    if (typeof v !== 'object' || v === null || typeof (v as { ok?: unknown }).ok !== 'boolean') return undefined;
    return v as ToolAnswer;
  } catch {
    return undefined;
  }
}

const MALFORMED_CODES: Record<string, string> = {
  list: 'CIPHERTEXT_MALFORMED',
  metadata: 'INVALID_ARGUMENT',
  crs: 'CRS_MALFORMED',
  'public-key': 'PUBLIC_KEY_MALFORMED',
  'server-key': 'SERVER_KEY_MALFORMED',
  seed: 'OPRF_BAD_PARAMETERS',
  'random-bits': 'OPRF_BAD_PARAMETERS',
};

/** Tool failure codes → TKMS codes; `input` says which argument was at fault. */
export function toolError(op: string, a: ToolFailure): TkmsError {
  const details = `tkms-tfhe-zk ${op}: ${a.code}${a.input ? ` (${a.input})` : ''}: ${a.message}`;
  switch (a.code) {
    case 'PROOF_INVALID':
      return new TkmsError('PROOF_INVALID', 'the proof of encryption does not verify for this CRS, public key and metadata', { details });
    case 'UNSUPPORTED_TYPE':
      if (a.input === 'type') return new TkmsError('BAD_FHE_TYPE', 'tkms-tfhe-zk cannot make a value of this type', { details });
      return new TkmsError('UNSUPPORTED_TYPE', 'the list holds a value of a type TKMS does not handle', { details });
    case 'CONTRIBUTION_INVALID':
      return new TkmsError('CRS_CONTRIBUTION_INVALID', 'the CRS ceremony contribution is not a correct update of the agreed state', { details });
    case 'OPRF_FAILED':
      return new TkmsError('OPRF_FAILED', 'tfhe-rs could not make a pseudo-random value with this server key', { details });
    case 'EXPAND_FAILED':
      return new TkmsError('ZK_EXPAND_FAILED', 'the list could not be expanded with this server key', { details });
    case 'INPUT_MALFORMED': {
      const code = MALFORMED_CODES[a.input ?? ''] ?? 'ZK_TOOL_FAILED';
      return new TkmsError(code, `malformed ${a.input ?? 'input'} for ${op === 'oprf' ? 'pseudo-random generation' : 'proof verification'}`, { details });
    }
    default:
      return new TkmsError('ZK_TOOL_FAILED', `tkms-tfhe-zk ${op} failed`, { details });
  }
}

/** Reads the expanded values the tool wrote, in list order, refusing anything outside `outDir`. */
export async function readItems(answer: ToolSuccess, outDir: string): Promise<ExpandedValue[]> {
  const items = answer.items;
  if (!Array.isArray(items) || items.length === 0) throw new TkmsError('ZK_TOOL_FAILED', 'tkms-tfhe-zk answered without items');
  const root = path.resolve(outDir) + path.sep;
  return Promise.all(
    items.map(async (item, i) => {
      if (item.index !== i || !isFheType(item.fheType) || !path.resolve(item.file).startsWith(root)) {
        throw new TkmsError('ZK_TOOL_FAILED', `tkms-tfhe-zk answered a malformed item ${i}`);
      }
      return { fheType: item.fheType, ciphertext: new Uint8Array(await readFile(item.file)) };
    }),
  );
}
