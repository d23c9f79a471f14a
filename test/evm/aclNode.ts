/**
 * @module test/evm/aclNode
 * A live fhEVM-like chain for tests and benches: anvil (test/evm/anvil.ts) with
 * the fixture ACL contract (test/fixtures/scripts/ACL.sol, fhEVM's storage layout)
 * deployed and a coprocessor registered (anvil's second account), and the proof a
 * request for an fhEVM application carries (chain/isc-fhevm/messages.ts
 * `FhevmProof`): the latest block's header signed by the given validator keys
 * (fhevmHeader.ts) and, per handle, one `eth_getProof` with every slot the ISC
 * reads — the user's and the dApp contract's permissions (user decryption) or the
 * public flag (public decryption), and the handle's committed ciphertext digest.
 *
 * @example
 * const node = await startAclNode();
 * await node.commitCiphertext(handle, digest);       // the coprocessor attests handle → digest
 * await node.allowForDecryption([handle]);
 * const proof = await node.publicProof([handle], [validatorKey]);
 * // tkms decrypt <handle> --app my-app --proof JSON.stringify(proof)
 * await node.allow(handle, user); await node.allow(handle, dapp);
 * const p = await node.userProof(user, [{ handle, contract: dapp }], keys);
 * // tkms user-decrypt <handle> --app my-app --allowed-contracts <dapp> --proof JSON.stringify(p)
 * await node.stop();
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { startAnvil, type Anvil } from './anvil.js';
import { compileSolidity } from './compile.js';
import { aclSlot, decryptionSlot, digestSlot, headerOfBlock, hexToBytes, signHeader, to0x, type FhevmHeader } from '../fixtures/scripts/fhevmHeader.js';
import { FHEVM_ACL_SLOT_BASE, type FhevmProof } from '../../chain/isc-fhevm/messages.js';

export interface AclNode {
  url: string;
  chainId: number;
  /** The ACL contract's address (lower-case). */
  acl: string;
  /** The registered coprocessor (lower-case): `commitCiphertext` sends from it by default. */
  coprocessor: string;
  /** Another funded account, not a coprocessor. */
  outsider: string;
  allow(handle: string, account: string): Promise<void>;
  revoke(handle: string, account: string): Promise<void>;
  /** fhEVM `allowForDecryption(handles)`: the handles become publicly decryptable. */
  allowForDecryption(handles: readonly string[]): Promise<void>;
  /** `commitCiphertext(handle, digest)` sent by `from` (default: the registered coprocessor). */
  commitCiphertext(handle: string, digest: string, from?: string): Promise<void>;
  /** A user_decrypt request's `proof` at the latest block: per entry, the user's and the contract's permissions and the digest. */
  userProof(user: string, entries: readonly { handle: string; contract: string }[], keys: readonly Uint8Array[]): Promise<FhevmProof>;
  /** A public decrypt request's `proof` at the latest block: per handle, its public flag and digest. */
  publicProof(handles: readonly string[], keys: readonly Uint8Array[]): Promise<FhevmProof>;
  rpc<T>(method: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

/** A handle or digest (with or without prefix) as 0x-prefixed lower-case hex. */
function h0x(hex: string): string {
  return '0x' + hex.replace(/^0x/, '').toLowerCase();
}

function selector(sig: string): Uint8Array {
  return keccak_256(new TextEncoder().encode(sig)).subarray(0, 4);
}

/** ABI call data of a function taking one bytes32[]: offset 0x20, length, items. */
function arrayCallData(sig: string, handles: readonly string[]): string {
  const w = (n: number): Uint8Array => {
    const b = new Uint8Array(32);
    new DataView(b.buffer).setUint32(28, n);
    return b;
  };
  return to0x(Uint8Array.from([...selector(sig), ...w(32), ...w(handles.length), ...handles.flatMap((h) => [...hexToBytes(h0x(h))])]));
}

/** ABI call data of `f(bytes32, address)` or `f(bytes32, bytes32)`: static words. */
function callData(sig: string, handle: string, second: string): string {
  const w = new Uint8Array(32);
  const b = hexToBytes(h0x(second));
  w.set(b, 32 - b.length);
  return to0x(Uint8Array.from([...selector(sig), ...hexToBytes(h0x(handle)), ...w]));
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
    const [owner, coprocessor, outsider] = (await rpc<string[]>('eth_accounts')).map((a) => a.toLowerCase());
    // anvil mines each transaction on its own (automine), but the receipt may lag the
    // send by a moment: poll for it (up to 10 s).
    const send = async (tx: { to?: string; data: string; from?: string }): Promise<{ contractAddress: string | null }> => {
      const hash = await rpc<string>('eth_sendTransaction', [{ from: owner, gas: '0x1e8480', ...tx }]);
      let r = await rpc<{ status: string; contractAddress: string | null } | null>('eth_getTransactionReceipt', [hash]);
      for (let i = 0; i < 100 && r === null; i++) {
        await new Promise((res) => setTimeout(res, 100));
        r = await rpc<{ status: string; contractAddress: string | null } | null>('eth_getTransactionReceipt', [hash]);
      }
      if (!r || r.status !== '0x1') throw new Error(`EVM tx ${hash} failed`);
      return r;
    };
    const { bytecode } = compileSolidity('test/fixtures/scripts/ACL.sol', 'ACL');
    const acl = (await send({ data: bytecode })).contractAddress!.toLowerCase();
    const registration = new Uint8Array(32);
    registration.set(hexToBytes(coprocessor!), 12);
    await send({ to: acl, data: to0x(Uint8Array.from([...selector('registerCoprocessor(address)'), ...registration])) });

    /** The latest block's header signed by `keys`, and eth_getProof of each slot list at that block. */
    const proofAt = async (slotLists: readonly string[][], keys: readonly Uint8Array[]): Promise<{ header: FhevmHeader; signatures: FhevmProof['signatures']; proofs: unknown[] }> => {
      const block = await rpc<{ number: string; timestamp: string; hash: string; stateRoot: string }>('eth_getBlockByNumber', ['latest', false]);
      const header = headerOfBlock(chainId, block);
      const proofs = [];
      for (const slots of slotLists) proofs.push(await rpc<unknown>('eth_getProof', [acl, slots, block.number]));
      return { header, signatures: keys.map((k) => signHeader(header, k)), proofs };
    };
    return {
      url: anvil.url,
      chainId,
      acl,
      coprocessor: coprocessor!,
      outsider: outsider!,
      rpc,
      allow: async (handle, account) => void (await send({ to: acl, data: callData('allow(bytes32,address)', handle, account) })),
      revoke: async (handle, account) => void (await send({ to: acl, data: callData('revoke(bytes32,address)', handle, account) })),
      allowForDecryption: async (handles) => void (await send({ to: acl, data: arrayCallData('allowForDecryption(bytes32[])', handles) })),
      commitCiphertext: async (handle, digest, from = coprocessor!) =>
        void (await send({ from, to: acl, data: callData('commitCiphertext(bytes32,bytes32)', handle, digest) })),
      userProof: async (user, entries, keys) => {
        const base = FHEVM_ACL_SLOT_BASE;
        const lists = entries.map((e) => [aclSlot(h0x(e.handle), user, base), aclSlot(h0x(e.handle), e.contract, base), digestSlot(h0x(e.handle), base)]);
        const { header, signatures, proofs } = await proofAt(lists, keys);
        return { header, signatures, handles: entries.map((e, i) => ({ contract: e.contract.toLowerCase(), acl_proof: proofs[i] })) };
      },
      publicProof: async (handles, keys) => {
        const base = FHEVM_ACL_SLOT_BASE;
        const lists = handles.map((h) => [decryptionSlot(h0x(h), base), digestSlot(h0x(h), base)]);
        const { header, signatures, proofs } = await proofAt(lists, keys);
        return { header, signatures, handles: proofs.map((p) => ({ acl_proof: p })) };
      },
      stop: () => anvil.stop(),
    };
  } catch (e) {
    await anvil.stop();
    throw e;
  }
}
