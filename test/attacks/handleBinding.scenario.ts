/**
 * @module test/attacks/handleBinding.scenario
 * Attack (issue 10, "any ISC can be bypassed"): before issue 10 a handle was a
 * hash of the ciphertext digest alone and the requester picked `app_id`, so a
 * handle the fhEVM application guards (its ISC admits it only with the host
 * chain's proofs) was decrypted through the open `default` application, or
 * through any other application whose rule the requester meets, and under any
 * key. Now a handle names the key and the application it was admitted under
 * (common/ciphertext.ts `ciphertextHandle(digest, type, {keyId, appId})`) and
 * the ASC recomputes it for the request's key and application.
 *
 * Here the handle belongs to `chain-a`, an fhEVM application whose host chain is
 * a real EVM node (anvil): committed to its digest by the coprocessor, publicly
 * decryptable, held by Alice and her dApp. `chain-b` is a second fhEVM
 * application reading the same host chain, so its ISC would vouch for the handle
 * just as well: only the binding refuses it there. The network is a dev one, so
 * the open `default` application exists too.
 * Shared by handleBinding.test.ts (embedded chain) and contractAttacks.wasmd.test.ts.
 */
import { bytesToHex } from '@noble/hashes/utils';
import { sha256 } from '@noble/hashes/sha256';
import type { UserDecryptMsg } from '../../chain/asc/messages.js';
import { ciphertextHandle } from '../../common/ciphertext.js';
import { startAclNode, type AclNode } from '../evm/aclNode.js';
import { evmAddress } from '../fixtures/scripts/fhevmHeader.js';
import { VALIDATOR_KEYS, authorization, fhevmUser, outcome, registerFhevmApps, signAuthorization, testKey, userDecryptMsg } from './_fhevmApp.js';
import type { AttackChain, Deployed } from './harness.js';
import { deploy, getRequest, makeKey, requestIdOf } from './harness.js';

const APP = 'chain-a';
const OTHER_APP = 'chain-b';
const alice = fhevmUser('tkms-attack-hb-alice');
const DAPP = evmAddress(testKey('tkms-attack-hb-dapp'));
const DIGEST = bytesToHex(sha256(new TextEncoder().encode('tkms-attack-hb-ciphertext')));

export function describeHandleBinding(suite: string, chainOf: () => AttackChain): void {
  describe(suite, () => {
    let chain: AttackChain;
    let d: Deployed;
    let evm: AclNode;
    /** The key the handle was made under, and another one. */
    let keyId: string;
    let otherKey: string;
    let HANDLE: string;

    beforeAll(async () => {
      chain = chainOf();
      evm = await startAclNode(31337);
      d = await deploy(chain, { n: 1 }); // dev mode: `default` is open
      await registerFhevmApps(chain, d, evm, [APP, OTHER_APP]);
      keyId = await makeKey(chain, d);
      otherKey = await makeKey(chain, d);
      HANDLE = ciphertextHandle(DIGEST, 'euint8', { keyId, appId: APP });
      await evm.commitCiphertext(HANDLE, DIGEST);
      await evm.allowForDecryption([HANDLE]);
      for (const who of [alice.address, DAPP]) await evm.allow(HANDLE, who);
    }, 180_000);

    afterAll(async () => {
      await evm?.stop();
    });

    /** A public decrypt of HANDLE under `key` through `app`, with the host chain's proof that it is public and committed to DIGEST. */
    const publicDecrypt = async (key: string, app: string): Promise<unknown> => ({
      decrypt: {
        key_id: key,
        app_id: app,
        ciphertexts: [{ ciphertext_handle: HANDLE, ciphertext_digest: DIGEST, fhe_type: 'euint8' }],
        proof: await evm.publicProof([HANDLE], VALIDATOR_KEYS),
      },
    });
    const refusal = (app: string, key: string, kind = 'decrypt'): string =>
      `${kind}: ciphertexts[0].ciphertext_handle is not the handle of ciphertext_digest under key ${key} and application ${app}`;

    test('default: the handle decrypts through the application that admitted it, on its ISC\'s word', async () => {
      const r = await chain.clients.requester.executeContract(d.asc, await publicDecrypt(keyId, APP));
      expect((await getRequest(chain, d, requestIdOf(r))).decrypt).toMatchObject({ key_id: keyId, app_id: APP, provenance: 'isc' });
    }, 120_000);

    test('malicious: the handle is refused through the open default application and through another fhEVM application', async () => {
      expect(await outcome(chain, d, 'requester', await publicDecrypt(keyId, 'default'))).toContain(refusal('default', keyId));
      // chain-b's ISC reads the same host chain and would admit the handle: the ASC refuses it first.
      expect(await outcome(chain, d, 'requester', await publicDecrypt(keyId, OTHER_APP))).toContain(refusal(OTHER_APP, keyId));
    }, 120_000);

    test('malicious: the handle is refused under another key, even through its own application', async () => {
      expect(await outcome(chain, d, 'requester', await publicDecrypt(otherKey, APP))).toContain(refusal(APP, otherKey));
    }, 120_000);

    test('malicious: a user decryption of the handle is bound the same way', async () => {
      const auth = authorization(alice, [DAPP]);
      const signature = await signAuthorization(alice, auth);
      const ud = (key: string, app: string): Promise<UserDecryptMsg> =>
        userDecryptMsg(evm, { user: alice, keyId: key, appId: app, handle: HANDLE, digest: DIGEST, auth, signature, contract: DAPP });
      expect(await outcome(chain, d, 'stranger', { user_decrypt: await ud(keyId, APP) })).toBe('accepted');
      expect(await outcome(chain, d, 'stranger', { user_decrypt: await ud(keyId, 'default') })).toContain(refusal('default', keyId, 'user_decrypt'));
      expect(await outcome(chain, d, 'stranger', { user_decrypt: await ud(keyId, OTHER_APP) })).toContain(refusal(OTHER_APP, keyId, 'user_decrypt'));
      expect(await outcome(chain, d, 'stranger', { user_decrypt: await ud(otherKey, APP) })).toContain(refusal(APP, otherKey, 'user_decrypt'));
    }, 120_000);
  });
}
