/**
 * @module test/evm/aclNode
 * A live fhEVM-like chain for tests and benches: anvil (test/evm/anvil.ts) with
 * the fixture ACL contract (test/fixtures/scripts/ACL.sol, fhEVM's storage layout)
 * deployed, and the proof a decrypt request for an fhEVM application carries:
 * `eth_getProof` of the ACL slot of (handle, requester) — or, for a public
 * decryption, of `allowedForDecryption[handle]` — at the latest block, with that
 * block's header signed by the given validator keys (fhevmHeader.ts).
 *
 * @example
 * const node = await startAclNode();
 * await node.allowForDecryption([handle]);
 * const proof = await node.publicProof(handle, [validatorKey]);
 * // tkms decrypt <handle> --app my-app --proof JSON.stringify(proof)
 * await node.allow(handle, user);
 * // tkms user-decrypt <handle> --app my-app --proof JSON.stringify(await node.proof(handle, user, keys))
 * await node.stop();
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { startAnvil, type Anvil } from './anvil.js';
import { compileSolidity } from './compile.js';
import { aclSlot, decryptionSlot, headerOfBlock, hexToBytes, signHeader, to0x } from '../fixtures/scripts/fhevmHeader.js';
import { FHEVM_ACL_SLOT_BASE, type FhevmProof } from '../../chain/isc-fhevm/messages.js';

export interface AclNode {
  url: string;
  chainId: number;
  /** The ACL contract's address (lower-case). */
  acl: string;
  allow(handle: string, account: string): Promise<void>;
  revoke(handle: string, account: string): Promise<void>;
  /** fhEVM `allowForDecryption(handles)`: the handles become publicly decryptable. */
  allowForDecryption(handles: readonly string[]): Promise<void>;
  /** A user_decrypt request's `proof` for (handle, requester) at the latest block, header signed by `keys`. */
  proof(handle: string, requester: string, keys: readonly Uint8Array[]): Promise<FhevmProof>;
  /** A public decrypt request's `proof`: the handle's `allowedForDecryption` slot at the latest block. */
  publicProof(handle: string, keys: readonly Uint8Array[]): Promise<FhevmProof>;
  rpc<T>(method: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

/** A 0x handle (with or without prefix) as 0x-prefixed lower-case hex. */
function h0x(handle: string): string {
  return '0x' + handle.replace(/^0x/, '').toLowerCase();
}

/** ABI call data of a function taking one bytes32[]: offset 0x20, length, items. */
function arrayCallData(sig: string, handles: readonly string[]): string {
  const w = (n: number): Uint8Array => {
    const b = new Uint8Array(32);
    new DataView(b.buffer).setUint32(28, n);
    return b;
  };
  const sel = keccak_256(new TextEncoder().encode(sig)).subarray(0, 4);
  return to0x(Uint8Array.from([...sel, ...w(32), ...w(handles.length), ...handles.flatMap((h) => [...hexToBytes(h0x(h))])]));
}

function callData(sig: string, handle: string, account: string): string {
  const addr = new Uint8Array(32);
  addr.set(hexToBytes(account), 12);
  const sel = keccak_256(new TextEncoder().encode(sig)).subarray(0, 4);
  return to0x(Uint8Array.from([...sel, ...hexToBytes(h0x(handle)), ...addr]));
}

export async function startAclNode(chainId = 31337): Promise<AclNode> {
  const anvil: Anvil = await startAnvil({ chainId });
  try {
    let id = 0;
    const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
      const res = await fetch(anvil.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) });
      const body = (await res.json()) as { result?: T; error?: { message: string } };
      if (body.error) throw new Error(`${method}: ${body.error.message}`);
      return body.result as T;
    };
    const [from] = await rpc<string[]>('eth_accounts');
    // anvil mines each transaction on its own (automine), but the receipt may lag the
    // send by a moment: poll for it (up to 10 s).
    const send = async (tx: { to?: string; data: string }): Promise<{ contractAddress: string | null }> => {
      const hash = await rpc<string>('eth_sendTransaction', [{ from, gas: '0x1e8480', ...tx }]);
      let r = await rpc<{ status: string; contractAddress: string | null } | null>('eth_getTransactionReceipt', [hash]);
      for (let i = 0; i < 100 && r === null; i++) {
        await new Promise((res) => setTimeout(res, 100));
        r = await rpc<{ status: string; contractAddress: string | null } | null>('eth_getTransactionReceipt', [hash]);
      }
      if (!r || r.status !== '0x1') throw new Error(`EVM tx ${hash} failed`);
      return r;
    };
    const { bytecode } = compileSolidity('test/fixtures/scripts/ACL.sol', 'ACL');
    /** eth_getProof of one ACL slot at the latest block, with that block's header signed by `keys`. */
    const proofOf = async (slot: string, keys: readonly Uint8Array[]): Promise<FhevmProof> => {
      const block = await rpc<{ number: string; timestamp: string; hash: string; stateRoot: string }>('eth_getBlockByNumber', ['latest', false]);
      const header = headerOfBlock(chainId, block);
      const aclProof = await rpc<unknown>('eth_getProof', [acl, [slot], block.number]);
      return { header, signatures: keys.map((k) => signHeader(header, k)), acl_proof: aclProof };
    };
    const acl = (await send({ data: bytecode })).contractAddress!.toLowerCase();
    return {
      url: anvil.url,
      chainId,
      acl,
      rpc,
      allow: async (handle, account) => void (await send({ to: acl, data: callData('allow(bytes32,address)', handle, account) })),
      revoke: async (handle, account) => void (await send({ to: acl, data: callData('revoke(bytes32,address)', handle, account) })),
      allowForDecryption: async (handles) => void (await send({ to: acl, data: arrayCallData('allowForDecryption(bytes32[])', handles) })),
      proof: async (handle, requester, keys) => ({ requester, ...(await proofOf(aclSlot(h0x(handle), requester, FHEVM_ACL_SLOT_BASE), keys)) }),
      publicProof: (handle, keys) => proofOf(decryptionSlot(h0x(handle), FHEVM_ACL_SLOT_BASE), keys),
      stop: () => anvil.stop(),
    };
  } catch (e) {
    await anvil.stop();
    throw e;
  }
}
