/**
 * `tkms user-decrypt <handle...>`: user decryption through the KMS chain. A
 * fresh ML-KEM-512 key pair is made for the request (the secret key never
 * leaves this process); every party signcrypts its answer for the whole batch
 * to it; the CLI verifies each party's signatures, opens the answers and
 * reconstructs (cli/userDecryptResult.ts), waiting for answers beyond the
 * ASC's 2t+1 only when reconstruction needs them.
 *
 * The request carries the client address's EIP-712 signature
 * (`UserDecryptRequestVerification`, common/userDecryptAuth.ts), made with an
 * ordinary ethers wallet: it binds the ML-KEM key, the dApp contracts through
 * which the handles may be read (`--allowed-contracts`; default: the contracts
 * the fhEVM proof names, else the EIP-712 domain's verifying contract) and a
 * validity window (`--start`, default one minute ago so a block time behind the
 * wall clock still falls inside; `--valid-for`, default one day, at most 365
 * days) checked against the KMS chain's block time. So nobody can reuse the
 * client's ACL proof with an ML-KEM key of his own, and a leaked signed request
 * dies with its window. By default the client address is the EVM address of the
 * chain key, which signs; another address needs its private key (`--client-key
 * <file>`, 32 bytes of hex).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ml_kem512 } from '@noble/post-quantum/ml-kem';
import { bytesToHex } from '@noble/hashes/utils';
import { getUserDecryptAnswers, submitUserDecrypt, waitForMoreResponses, waitForSettled } from '../../chain/asc/userDecryptCrsActions.js';
import { requestFunds } from '../../chain/config/queries.js';
import { resolveHandle } from '../../connector/kvstore/client.js';
import { TkmsError } from '../../common/errors.js';
import { HEX64 } from '../../common/ciphertext.js';
import { Wallet } from 'ethers';
import {
  MAX_ALLOWED_CONTRACTS, MAX_DURATION_SECONDS, evmAddressOf, signUserDecryptRequest, userDecryptAuthFields, type UserDecryptRequest,
} from '../../common/userDecryptAuth.js';
import { parseProofOption, proofContracts } from '../proofOption.js';
import { printResult, progress } from '../output.js';
import type { CliContext } from '../context.js';
import { handleScope } from '../handleScope.js';
import { provenCrsOf } from '../provenInputs.js';
import { reconstructUserDecrypt, UserDecryptReconstructionError, type UserDecryptReturnType } from '../userDecryptResult.js';
import { warnAboutKeyState } from '../keyStateNotice.js';

interface Options {
  keyId?: string;
  timeout: string;
  app?: string;
  proof?: string;
  crsId?: string;
  clientAddress?: string;
  clientKey?: string;
  domainName: string;
  domainVersion: string;
  domainChainId: string;
  verifyingContract: string;
  allowedContracts?: string;
  validFor: string;
  start?: string;
  waitAll?: boolean;
}

/** How far before now the window starts by default: a KMS block time a little behind the wall clock still falls inside. */
const DEFAULT_START_SKEW_SECONDS = 60;

const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function registerUserDecrypt(program: Command, ctx: () => CliContext): void {
  program
    .command('user-decrypt <handles...>')
    .description('decrypt 1..32 stored ciphertexts for yourself only: the parties signcrypt their answers to a fresh ML-KEM key; prints the verified plaintexts')
    .option('--key-id <id>', 'key id (default: the key the handles are bound to)')
    .option('--timeout <seconds>', 'how long to wait for the parties', '180')
    .option('--app <appId>', 'registered application the request is made for (default: the one the handles are bound to)')
    .option('--proof <json>', "the application's proof of permission, a JSON object passed verbatim to its ISC (fhEVM: {header, signatures, handles: [{contract, acl_proof}]}, one eth_getProof per handle in the order given, of the user's and the contract's permissions and the ciphertextDigest)")
    .option('--crs-id <id>', 'the ciphertexts are proven inputs (`tkms encrypt --prove`): the parties verify each proof against this CRS first (default for handles this CLI proved: their CRS)')
    .option('--client-address <0x…>', 'EVM address the result is for (default: derived from your chain key); it signs the request')
    .option('--client-key <file>', "file with the client address's secp256k1 private key (32 bytes hex), when it is not your chain key")
    .option('--domain-name <name>', 'EIP-712 domain name the parties sign under', 'Decryption')
    .option('--domain-version <version>', 'EIP-712 domain version', '1')
    .option('--domain-chain-id <id>', 'EIP-712 domain chain id (decimal)', '1')
    .option('--verifying-contract <0x…>', 'EIP-712 verifying contract', '0x' + '00'.repeat(19) + '01')
    .option('--allowed-contracts <0x…,0x…>', 'dApp contracts (1..10, comma-separated) through which you let the handles be read; signed (default: the contracts the --proof names, else the --verifying-contract)')
    .option('--valid-for <seconds>', 'how long the signed request stays valid, 1..31536000 (365 days)', '86400')
    .option('--start <unix seconds>', 'when the signed request becomes valid (default: one minute ago)')
    .option('--wait-all', 'wait for every party to answer (not just 2t+1) and check them all: names every misbehaving party')
    .action(async (handles: string[], o: Options) => {
      const c = ctx();
      if (handles.length < 1 || handles.length > 32) throw new TkmsError('BAD_HANDLE', `give 1..32 handles, got ${handles.length}`);
      const hs = handles.map((h) => {
        const x = h.toLowerCase().replace(/^0x/, '');
        if (!HEX64.test(x)) throw new TkmsError('BAD_HANDLE', `"${h}" is not a 32-byte hex handle`);
        return x;
      });
      if (!/^\d+$/.test(o.domainChainId)) throw new TkmsError('BAD_DOMAIN', '--domain-chain-id must be a decimal integer');
      if (!EVM_ADDRESS.test(o.verifyingContract)) throw new TkmsError('BAD_DOMAIN', '--verifying-contract must be 0x + 40 hex chars');
      const proof = parseProofOption(o.proof, hs.length);
      const allowedContracts = allowedContractsOf(o, proof);
      const window = validityWindow(o);
      const kv = c.network().kvStoreUrl;
      const metas = await Promise.all(hs.map((h) => resolveHandle(kv, h)));
      const client = await c.chain(true);
      if (o.clientAddress !== undefined && !EVM_ADDRESS.test(o.clientAddress)) throw new TkmsError('BAD_ADDRESS', '--client-address must be 0x + 40 hex chars');
      const { clientAddress, clientKey } = await clientSigner(o, c);
      const crsId = o.crsId ?? provenCrsOf(c, hs);
      if (crsId !== undefined && !/^[0-9a-f]{40}$/.test(crsId)) throw new TkmsError('BAD_ARGUMENT', `--crs-id must be a CRS id (40 lower-case hex chars), got "${crsId.slice(0, 80)}"`);
      const { keyId, appId } = handleScope(hs, metas, { ...(o.keyId ? { keyId: o.keyId } : {}), ...(o.app ? { appId: o.app } : {}) });
      const asc = c.network().contracts.asc;
      const user = ml_kem512.keygen();
      const domain = { name: o.domainName, version: o.domainVersion, chain_id: o.domainChainId, verifying_contract: o.verifyingContract.toLowerCase() };
      const funds = await requestFunds(client, c.network().contracts.config, 'user_decrypt');
      const ciphertexts = hs.map((h, i) => ({ ciphertext_handle: h, ciphertext_digest: metas[i]!.digest, fhe_type: metas[i]!.fhe_type }));
      const encKey = bytesToHex(user.publicKey);
      const authorization: UserDecryptRequest = { clientAddress, encKey, allowedContracts, ...window, extraData: '0x', eip712Domain: domain };
      const userSignature = await signUserDecryptRequest(authorization, new Wallet('0x' + bytesToHex(clientKey)));
      const { requestId, tx } = await submitUserDecrypt(
        client,
        asc,
        {
          key_id: keyId, ciphertexts, enc_key: encKey, client_address: clientAddress, eip712_domain: domain,
          ...userDecryptAuthFields(authorization), user_signature: userSignature,
          app_id: appId, ...(proof ? { proof } : {}), ...(crsId ? { crs_id: crsId } : {}),
        },
        funds,
      );
      const timeoutMs = Number(o.timeout) * 1000;
      const end = Date.now() + timeoutMs;
      const p = progress(`user-decrypt ${requestId}: waiting for 2t+1 parties`);
      let request = await waitForSettled(client, asc, requestId, { fromHeight: tx.height, timeoutMs });
      if (request.status === 'expired') throw new TkmsError('USER_DECRYPT_FAILED', `request ${requestId} expired without a result`, { details: 'its fee was refunded' });
      if (request.status === 'failed') throw new TkmsError('USER_DECRYPT_FAILED', `user decryption failed: ${request.failure_reason}`, { details: `request ${requestId}` });
      const { parties, threshold } = await c.parties(client);
      const context = {
        requestId,
        keyId,
        ciphertexts: ciphertexts.map((x) => ({ handle: x.ciphertext_handle, digest: x.ciphertext_digest, fheType: x.fhe_type })),
        userPublicKey: user.publicKey,
        userSecretKey: user.secretKey,
        signers: new Map(parties.map((x) => [x.id, x.signer_pubkey])),
        n: parties.length,
        threshold,
        eip712Domain: { name: domain.name, version: domain.version, chainId: BigInt(domain.chain_id), verifyingContract: domain.verifying_contract },
      };
      if (o.waitAll) {
        while (request.responses.length < parties.length && Date.now() < end) {
          p.update(`${request.responses.length} of ${parties.length} parties answered`);
          request = await waitForMoreResponses(client, asc, requestId, { known: request.responses.length, all: parties.length, timeoutMs: Math.max(1, end - Date.now()) });
        }
      }
      let result: UserDecryptReturnType;
      for (;;) {
        try {
          result = reconstructUserDecrypt(await getUserDecryptAnswers(client, asc, request), context);
          break;
        } catch (e) {
          // Not enough consistent answers yet: wait for the parties beyond the quorum, up to all n.
          if (!(e instanceof UserDecryptReconstructionError) || request.responses.length >= parties.length || Date.now() > end) throw e;
          p.update(`${request.responses.length} answers do not suffice; waiting for more`);
          request = await waitForMoreResponses(client, asc, requestId, { known: request.responses.length, all: parties.length, timeoutMs: Math.max(1, end - Date.now()) });
        }
      }
      p.done(`${result.agreeing.length} part${result.agreeing.length === 1 ? 'y' : 'ies'} used`);
      const shown = result.plaintexts.map((v, i) => (ciphertexts[i]!.fhe_type === 'ebool' ? (v === 1n ? 'true' : 'false') : v.toString()));
      printResult(
        c.opts,
        {
          requestId,
          keyId,
          plaintexts: shown,
          fheTypes: ciphertexts.map((x) => x.fhe_type),
          handles: hs,
          mode: result.mode,
          parties: result.agreeing,
          misbehaving: result.misbehaving,
          clientAddress,
          allowedContracts,
          validFrom: Number(window.startTimestamp),
          validUntil: Number(window.startTimestamp) + Number(window.durationSeconds),
          txHash: tx.txHash,
          fee: funds,
          keyState: (await warnAboutKeyState(client, asc, keyId)).keyState,
        },
        () =>
          [
            ...shown.map((v, i) => (hs.length > 1 ? `${hs[i]}: ${v}` : v)),
            ...result.misbehaving.map((m) => `warning: party ${m.partyId} misbehaved: ${m.reason}`),
          ].join('\n'),
      );
    });
}

/**
 * The client address and the key that signs for it: the `--client-key` file's
 * key (and `--client-address`, if given, must be its address), else the chain
 * key (and `--client-address`, if given, must be the chain key's address).
 */
async function clientSigner(o: Options, c: CliContext): Promise<{ clientAddress: string; clientKey: Uint8Array }> {
  let clientKey: Uint8Array;
  let source: string;
  if (o.clientKey !== undefined) {
    let text: string;
    try {
      text = readFileSync(o.clientKey, 'utf8').trim().replace(/^0x/, '');
    } catch (e) {
      throw new TkmsError('BAD_CLIENT_KEY', `cannot read --client-key ${o.clientKey}`, { cause: e });
    }
    if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new TkmsError('BAD_CLIENT_KEY', `--client-key ${o.clientKey} must hold a 32-byte secp256k1 private key in hex`);
    clientKey = Uint8Array.from(Buffer.from(text, 'hex'));
    source = `the key in ${o.clientKey}`;
  } else {
    clientKey = (await c.account()).privateKey;
    source = 'your chain key';
  }
  let derived: string;
  try {
    derived = evmAddressOf(clientKey);
  } catch (e) {
    throw new TkmsError('BAD_CLIENT_KEY', `${source} is not a valid secp256k1 private key`, { cause: e });
  }
  if (o.clientAddress !== undefined && o.clientAddress.toLowerCase() !== derived) {
    throw new TkmsError(
      'CLIENT_KEY_REQUIRED',
      `--client-address ${o.clientAddress} is not the address of ${source} (${derived}): the client address signs the request, give its key with --client-key <file>`,
    );
  }
  return { clientAddress: derived, clientKey };
}

/**
 * `--allowed-contracts`, else the contracts the fhEVM proof names (its ISC checks each
 * handle's contract is in the list), else the EIP-712 domain's verifying contract (an
 * application without contracts still needs a non-empty signed list). 1..10 distinct
 * addresses, lower-case, never the client address (the ASC checks that too).
 */
function allowedContractsOf(o: Options, proof: Record<string, unknown> | undefined): string[] {
  let list: string[];
  if (o.allowedContracts !== undefined) {
    list = o.allowedContracts.split(',').map((a) => a.trim()).filter((a) => a.length > 0);
    for (const a of list) if (!EVM_ADDRESS.test(a)) throw new TkmsError('BAD_ADDRESS', `--allowed-contracts: "${a}" is not 0x + 40 hex chars`);
    list = list.map((a) => a.toLowerCase());
    const dup = list.find((a, i) => list.indexOf(a) !== i);
    if (dup !== undefined) throw new TkmsError('BAD_ADDRESS', `--allowed-contracts names ${dup} twice`);
  } else {
    const named = proofContracts(proof);
    list = named.length > 0 ? named : [o.verifyingContract.toLowerCase()];
  }
  if (list.length < 1 || list.length > MAX_ALLOWED_CONTRACTS) {
    throw new TkmsError('BAD_ADDRESS', `--allowed-contracts must name 1..${MAX_ALLOWED_CONTRACTS} contracts, got ${list.length}`);
  }
  return list;
}

/** `--start` (default one minute ago) and `--valid-for` (default one day), as the signed window. */
function validityWindow(o: Options): { startTimestamp: bigint; durationSeconds: bigint } {
  if (!/^\d+$/.test(o.validFor) || Number(o.validFor) < 1 || Number(o.validFor) > MAX_DURATION_SECONDS) {
    throw new TkmsError('BAD_ARGUMENT', `--valid-for must be a number of seconds in 1..${MAX_DURATION_SECONDS} (365 days), got "${o.validFor}"`);
  }
  if (o.start !== undefined && !/^\d+$/.test(o.start)) throw new TkmsError('BAD_ARGUMENT', `--start must be Unix seconds, got "${o.start}"`);
  const start = o.start !== undefined ? BigInt(o.start) : BigInt(Math.floor(Date.now() / 1000) - DEFAULT_START_SKEW_SECONDS);
  return { startTimestamp: start, durationSeconds: BigInt(o.validFor) };
}
