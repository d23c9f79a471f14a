/**
 * @module test/attacks/userDecryptAuth.scenario
 * Attacks on the user-decryption authorization (issue 10 item 5), end to end on
 * an AttackChain (the very ASC, Config and fhEVM ISC wasm on the embedded chain
 * and on wasmd) with a real EVM node (anvil) for the fhEVM application's ACL
 * proofs, on a production-shaped deployment (only the fhEVM application's ISC
 * vouches for ciphertexts):
 * - a signature over a raw keccak digest (what `eth_sign` makes, as the old
 *   TKMS-USER-DECRYPT-AUTH-V1 scheme required) is refused: only an EIP-712
 *   `UserDecryptRequestVerification` from an ordinary wallet counts;
 * - a captured signed request replayed after its validity window (or before it) is refused;
 * - a proof naming a dApp contract the user did not list is refused, and so is a
 *   list widened after signing.
 * Every test first shows the honest request is accepted, so each fails on the old code.
 * Shared by userDecryptAuth.test.ts (embedded chain) and contractAttacks.wasmd.test.ts.
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex } from '@noble/hashes/utils';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { getBytes } from 'ethers';
import type { UserDecryptMsg } from '../../chain/asc/messages.js';
import { ciphertextHandle } from '../../common/ciphertext.js';
import { userDecryptRequestDigest, type UserDecryptRequest } from '../../common/userDecryptAuth.js';
import { startAclNode, type AclNode } from '../evm/aclNode.js';
import { evmAddress } from '../fixtures/scripts/fhevmHeader.js';
import { authorization, fhevmUser, outcome, registerFhevmApps, signAuthorization, testKey, userDecryptMsg } from './_fhevmApp.js';
import type { AttackChain, Deployed } from './harness.js';
import { deploy, makeKey } from './harness.js';

const APP = 'chain-a';
const alice = fhevmUser('tkms-attack-ud-alice');
const ALICE = alice.address;
/** The dApp Alice uses, and another contract that also holds her handle (she never listed it). */
const DAPP = evmAddress(testKey('tkms-attack-ud-dapp'));
const OTHER_DAPP = evmAddress(testKey('tkms-attack-ud-other-dapp'));
const DIGEST = bytesToHex(sha256(new TextEncoder().encode('tkms-attack-ud-ciphertext')));

const now = (): number => Math.floor(Date.now() / 1000);
const sleepUntil = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));

/**
 * `windowSeconds`: the validity window of the replayed request, long enough for
 * one honest submission to land inside it (a few seconds on wasmd).
 */
export function describeUserDecryptAuth(suite: string, chainOf: () => AttackChain, windowSeconds: number): void {
  describe(suite, () => {
    let chain: AttackChain;
    let d: Deployed;
    let evm: AclNode;
    let keyId: string;
    /** Bound to the key and the application (set once the key exists). */
    let HANDLE: string;

    beforeAll(async () => {
      chain = chainOf();
      evm = await startAclNode(31337);
      // Production-shaped: no open application; one party, t = 0.
      d = await deploy(chain, { n: 1, devMode: false });
      await registerFhevmApps(chain, d, evm, [APP]);
      keyId = await makeKey(chain, d);
      HANDLE = ciphertextHandle(DIGEST, 'euint8', { keyId, appId: APP });
      // On the fhEVM chain: the coprocessor commits the ciphertext; Alice and both contracts may use it.
      await evm.commitCiphertext(HANDLE, DIGEST);
      for (const who of [ALICE, DAPP, OTHER_DAPP]) await evm.allow(HANDLE, who);
    }, 180_000);

    afterAll(async () => {
      await evm?.stop();
    });

    /** A user_decrypt for HANDLE through `contract`, with the given authorization and signature. */
    const userDecrypt = (auth: UserDecryptRequest, signature: string, contract = DAPP): Promise<UserDecryptMsg> =>
      userDecryptMsg(evm, { user: alice, keyId, appId: APP, handle: HANDLE, digest: DIGEST, auth, signature, contract });

    /** Submitted by a relayer account (not Alice): "accepted" or the ASC's error. */
    const submit = (msg: UserDecryptMsg): Promise<string> => outcome(chain, d, 'stranger', { user_decrypt: msg });

    /** The old TKMS-USER-DECRYPT-AUTH-V1 digest: keccak256 over length-prefixed fields, no domain separation a wallet shows. */
    function oldRawDigest(): Uint8Array {
      const lp = (s: string): Uint8Array => {
        const b = new TextEncoder().encode(s);
        const out = new Uint8Array(4 + b.length);
        new DataView(out.buffer).setUint32(0, b.length);
        out.set(b, 4);
        return out;
      };
      const dom = alice.domain;
      const fields = ['TKMS-USER-DECRYPT-AUTH-V1', chain.clients.governance.chainId, d.asc, APP, keyId, ALICE, alice.encKey, '1', HANDLE, dom.name, dom.version, dom.chain_id, dom.verifying_contract];
      return keccak_256(Uint8Array.from(fields.flatMap((f) => [...lp(f)])));
    }

    function rawSign(digest: Uint8Array): string {
      const sig = secp256k1.sign(digest, getBytes(alice.wallet.privateKey), { lowS: true });
      return '0x' + bytesToHex(sig.toCompactRawBytes()) + (27 + sig.recovery).toString(16);
    }

    test('malicious: a raw keccak (eth_sign-style) signature is refused; only the wallet\'s EIP-712 signature is accepted', async () => {
      const auth = authorization(alice, [DAPP]);
      expect(await submit(await userDecrypt(auth, await signAuthorization(alice, auth)))).toBe('accepted');
      // The old scheme: a raw secp256k1 signature of a keccak digest, which only eth_sign can make.
      expect(await submit(await userDecrypt(auth, rawSign(oldRawDigest())))).toMatch(new RegExp(`user_decrypt: bad user_signature: signed by 0x[0-9a-f]{40}, not by client_address ${ALICE}`));
      // Nor an EIP-191 personal_sign of the EIP-712 digest: it recovers someone else.
      const digest = getBytes(userDecryptRequestDigest(auth));
      expect(await submit(await userDecrypt(auth, await alice.wallet.signMessage(digest)))).toMatch(/bad user_signature: signed by 0x[0-9a-f]{40}, not by client_address/);
    }, 120_000);

    test('malicious: a captured signed request replayed after its window, or before it, is refused', async () => {
      // A short window: accepted inside it…
      const start = now() - 1;
      const auth = authorization(alice, [DAPP], { startTimestamp: start, durationSeconds: windowSeconds });
      const captured = await userDecrypt(auth, await signAuthorization(alice, auth));
      expect(await submit(captured)).toBe('accepted');
      // …replayed verbatim (fresh proof, same signature) once it has passed (block time lags the wall clock by up to a block).
      await sleepUntil((start + windowSeconds) * 1000 + 2000);
      const replay = await userDecrypt(auth, captured.user_signature);
      expect(await submit(replay)).toMatch(new RegExp(`user_decrypt: request expired: valid from \\d+ for ${windowSeconds} s \\(until \\d+\\), block time \\d+`));
      // Its window cannot be stretched: the signature covers it.
      expect(await submit({ ...replay, duration_seconds: '3600' })).toMatch(/bad user_signature/);
      // A request signed for later is not valid yet.
      const later = authorization(alice, [DAPP], { startTimestamp: now() + 3600 });
      expect(await submit(await userDecrypt(later, await signAuthorization(alice, later)))).toMatch(/user_decrypt: request not yet valid: start_timestamp \d+ is after the block time \d+/);
    }, 120_000);

    test('malicious: a dApp contract the user did not list is refused, and the list cannot be widened after signing', async () => {
      const auth = authorization(alice, [DAPP]);
      const signature = await signAuthorization(alice, auth);
      expect(await submit(await userDecrypt(auth, signature, DAPP))).toBe('accepted');
      // OTHER_DAPP holds the handle on the fhEVM chain too, but Alice never named it.
      expect(await submit(await userDecrypt(auth, signature, OTHER_DAPP))).toContain(
        `application ${APP} refused the request: ciphertext 0 (0x${HANDLE}): contract ${OTHER_DAPP} is not in the user's allowed_contracts`,
      );
      const widened = { ...(await userDecrypt(auth, signature, OTHER_DAPP)), allowed_contracts: [DAPP, OTHER_DAPP] };
      expect(await submit(widened)).toMatch(new RegExp(`bad user_signature: signed by 0x[0-9a-f]{40}, not by client_address ${ALICE}`));
    }, 120_000);
  });
}
