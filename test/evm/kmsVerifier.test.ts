/**
 * Public decryption results signed by common/eip712.ts, checked by a Solidity
 * verifier (test/evm/KmsVerifier.sol, compiled here with solc-js) on a real EVM
 * node (anvil, started here), with ethers as the client. n = 4 KMS parties,
 * t = 1, the verifier asks for t + 1 distinct signers.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { ContractFactory, JsonRpcProvider, TypedDataEncoder, getBytes, hexlify, verifyTypedData, type BaseContract } from 'ethers';
import {
  PUBLIC_DECRYPT_TYPES,
  encodeDecryptedResult,
  partyEvmAddress,
  publicDecryptDigest,
  signPublicDecrypt,
  type Eip712Domain,
  type PublicDecryptMessage,
} from '../../common/eip712.js';
import { startAnvil, type Anvil } from './anvil.js';
import { compileSolidity, type CompiledContract } from './compile.js';

const N = 4;
const T = 1;
const THRESHOLD = T + 1;
/** fhEVM's host-chain KMSVerifier checks signatures made for the gateway chain's Decryption contract. */
const GATEWAY_CHAIN_ID = 54321n;
const GATEWAY_DECRYPTION = '0x' + 'de'.repeat(20);

interface Party {
  sk: Uint8Array;
  address: string;
}
function newParty(): Party {
  const sk = secp256k1.utils.randomPrivateKey();
  return { sk, address: partyEvmAddress(secp256k1.getPublicKey(sk, true)) };
}
const parties: Party[] = Array.from({ length: N }, newParty);
const outsider = newParty();

const randomHandle = (): string => hexlify(secp256k1.utils.randomPrivateKey());
const message: PublicDecryptMessage = {
  handles: [randomHandle(), randomHandle(), randomHandle()],
  plaintexts: [42n, 1n, 2n ** 256n - 1n],
  extraData: new Uint8Array([0x01, 0xfe]),
};
/** The verifier's calldata for a message (what a relayer submits on chain). */
function args(m: PublicDecryptMessage): [string[], string, string] {
  return [m.handles, encodeDecryptedResult(m.plaintexts), hexlify(m.extraData ?? new Uint8Array())];
}

/** r‖s‖v with s replaced by n − s and v flipped: the same signer to a bare ecrecover (EIP-2 malleability). */
function malleate(signature: string): string {
  const b = getBytes(signature);
  const s = BigInt(hexlify(b.subarray(32, 64)));
  const out = new Uint8Array(65);
  out.set(b.subarray(0, 32));
  out.set(getBytes('0x' + (secp256k1.CURVE.n - s).toString(16).padStart(64, '0')), 32);
  out[64] = b[64] === 27 ? 28 : 27;
  return hexlify(out);
}

type Verifier = BaseContract;
let node: Anvil;
let provider: JsonRpcProvider;
let compiled: CompiledContract;
let local: Verifier; // domain: this chain, this contract
let gateway: Verifier; // domain: explicit gateway chain id and Decryption contract
let localDomain: Eip712Domain;
const gatewayDomain: Eip712Domain = { name: 'Decryption', version: '1', chainId: GATEWAY_CHAIN_ID, verifyingContract: GATEWAY_DECRYPTION };

async function deploy(chainId: bigint, verifyingContract: string, signers: string[], threshold: number): Promise<Verifier> {
  const factory = new ContractFactory(compiled.abi as never, compiled.bytecode, await provider.getSigner(0));
  const c = await factory.deploy('Decryption', '1', chainId, verifyingContract, signers, threshold);
  await c.waitForDeployment();
  return c as Verifier;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fn = (c: Verifier, name: string): ((...a: unknown[]) => Promise<any>) => c.getFunction(name) as never;
const count = (c: Verifier, m: PublicDecryptMessage, sigs: string[]): Promise<bigint> => fn(c, 'countValidSigners')(...args(m), sigs);
const verify = (c: Verifier, m: PublicDecryptMessage, sigs: string[]): Promise<boolean> => fn(c, 'verifyPublicDecrypt')(...args(m), sigs);
/**
 * The custom error a call or deployment reverted with, decoded from the revert
 * data (ethers leaves `revert` null for deployments and for anvil's
 * eth_estimateGas errors), or undefined if it did not revert.
 */
async function revertOf(p: Promise<unknown>): Promise<{ name: string; args: unknown[] } | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    const data = (e as { data?: string }).data;
    if (!data) throw e;
    const parsed = local.interface.parseError(data);
    if (!parsed) throw e;
    return { name: parsed.name, args: [...parsed.args] };
  }
}
const sign = (d: Eip712Domain, m: PublicDecryptMessage, who: Party[]): string[] => who.map((p) => signPublicDecrypt(d, m, p.sk));

beforeAll(async () => {
  compiled = compileSolidity('test/evm/KmsVerifier.sol', 'KmsVerifier');
  node = await startAnvil({ chainId: 31337 });
  provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  const signers = parties.map((p) => p.address);
  local = await deploy(0n, '0x' + '00'.repeat(20), signers, THRESHOLD);
  gateway = await deploy(GATEWAY_CHAIN_ID, GATEWAY_DECRYPTION, signers, THRESHOLD);
  localDomain = { name: 'Decryption', version: '1', chainId: BigInt(node.chainId), verifyingContract: await local.getAddress() };
}, 60_000);

afterAll(async () => {
  provider?.destroy();
  await node?.stop();
});

describe('KmsVerifier.sol on an EVM node', () => {
  test('default: the on-chain EIP-712 digest is the one common/eip712.ts and ethers sign', async () => {
    for (const [c, d] of [
      [local, localDomain],
      [gateway, gatewayDomain],
    ] as const) {
      expect(await fn(c, 'domainSeparator')()).toBe(TypedDataEncoder.hashDomain(d));
      expect(await fn(c, 'publicDecryptDigest')(...args(message))).toBe(publicDecryptDigest(d, message));
      const [handles, decryptedResult, extraData] = args(message);
      expect(TypedDataEncoder.hash(d, PUBLIC_DECRYPT_TYPES, { ctHandles: handles, decryptedResult, extraData })).toBe(publicDecryptDigest(d, message));
    }
    // Empty extraData and a single handle hash the same way too.
    const one = { handles: [randomHandle()], plaintexts: [7n] };
    expect(await fn(local, 'publicDecryptDigest')(...args(one))).toBe(publicDecryptDigest(localDomain, one));
  });

  test('default: t+1 and n party signatures verify; ethers recovers every party', async () => {
    const sigs = sign(localDomain, message, parties);
    const [ctHandles, decryptedResult, extraData] = args(message);
    sigs.forEach((sig, i) => expect(verifyTypedData(localDomain, PUBLIC_DECRYPT_TYPES, { ctHandles, decryptedResult, extraData }, sig)).toBe(parties[i]!.address));
    expect(await count(local, message, sigs)).toBe(BigInt(N));
    expect(await verify(local, message, sigs)).toBe(true);
    expect(await verify(local, message, sigs.slice(2))).toBe(true);
    expect(await verify(gateway, message, sign(gatewayDomain, message, [parties[3]!, parties[1]!]))).toBe(true);
  });

  test('malicious: a signature over another plaintext is not counted', async () => {
    const lie = { ...message, plaintexts: [43n, 1n, 2n ** 256n - 1n] };
    const [liar] = sign(localDomain, lie, [parties[2]!]);
    const honest = sign(localDomain, message, [parties[0]!, parties[1]!]);
    expect(await count(local, message, [honest[0]!, liar!])).toBe(1n);
    expect(await verify(local, message, [honest[0]!, liar!])).toBe(false);
    expect(await count(local, message, [...honest, liar!])).toBe(2n);
    // Nor does it make the lie verify.
    expect(await verify(local, lie, [honest[0]!, liar!])).toBe(false);
    // Other handles or other extraData are other messages as well.
    const swapped = { ...message, handles: [message.handles[1]!, message.handles[0]!, message.handles[2]!] };
    expect(await count(local, swapped, honest)).toBe(0n);
    expect(await count(local, { ...message, extraData: new Uint8Array([0x01]) }, honest)).toBe(0n);
  });

  test('malicious: signatures for a wrong domain fail', async () => {
    const quorum = parties.slice(0, THRESHOLD + 1);
    const otherChain = { ...localDomain, chainId: localDomain.chainId + 1n };
    const otherContract = { ...localDomain, verifyingContract: '0x' + '11'.repeat(20) };
    const otherName = { ...localDomain, name: 'NotDecryption' };
    for (const d of [otherChain, otherContract, otherName, gatewayDomain]) {
      expect(await count(local, message, sign(d, message, quorum))).toBe(0n);
      expect(await verify(local, message, sign(d, message, quorum))).toBe(false);
    }
    expect(await verify(gateway, message, sign(localDomain, message, quorum))).toBe(false);
  });

  test('malicious: an unknown signer is not counted', async () => {
    const [stranger] = sign(localDomain, message, [outsider]);
    const [p0] = sign(localDomain, message, [parties[0]!]);
    expect(await fn(local, 'isSigner')(outsider.address)).toBe(false);
    expect(await count(local, message, [p0!, stranger!])).toBe(1n);
    expect(await verify(local, message, [p0!, stranger!])).toBe(false);
    expect(await verify(local, message, [stranger!, stranger!, p0!])).toBe(false);
  });

  test('malicious: the same signer twice, or its malleated twin, counts once', async () => {
    const [p0] = sign(localDomain, message, [parties[0]!]);
    expect(await count(local, message, [p0!, p0!, p0!])).toBe(1n);
    expect(await verify(local, message, [p0!, p0!])).toBe(false);

    // The high-s twin recovers the same key (so a bare ecrecover would accept it) but is rejected.
    const twin = malleate(p0!);
    const b = getBytes(twin);
    const recovered = new secp256k1.Signature(BigInt(hexlify(b.subarray(0, 32))), BigInt(hexlify(b.subarray(32, 64))))
      .addRecoveryBit(b[64]! - 27)
      .recoverPublicKey(getBytes(publicDecryptDigest(localDomain, message)));
    expect(partyEvmAddress(recovered.toRawBytes(true))).toBe(parties[0]!.address);
    expect(await fn(local, 'recoverSigner')(publicDecryptDigest(localDomain, message), twin)).toBe('0x' + '00'.repeat(20));
    expect(await count(local, message, [twin])).toBe(0n);
    expect(await verify(local, message, [p0!, twin])).toBe(false);

    // v must be 27 or 28 (not 0/1), and a signature must be exactly 65 bytes.
    const v01 = getBytes(p0!);
    v01[64] = v01[64]! - 27;
    expect(await count(local, message, [hexlify(v01)])).toBe(0n);
    expect(await count(local, message, [p0!.slice(0, -2), p0! + '00', '0x'])).toBe(0n);
  });

  test('behavior: below the threshold fails', async () => {
    expect(await verify(local, message, sign(localDomain, message, [parties[3]!]))).toBe(false);
    expect(await verify(local, message, [])).toBe(false);
    expect(await fn(local, 'threshold')()).toBe(BigInt(THRESHOLD));
    expect(await fn(local, 'getSigners')()).toEqual(parties.map((p) => p.address));
  });

  test('default: decryptedResult decodes to the plaintexts on chain', async () => {
    const [, decryptedResult] = args(message);
    expect(await fn(local, 'decodeUint256')(decryptedResult)).toEqual(message.plaintexts);
    expect(await revertOf(fn(local, 'decodeUint256')('0x' + '00'.repeat(33)))).toEqual({ name: 'MalformedResult', args: [33n] });

    // A transaction: verify the quorum, decode, emit; the node's receipt carries the cleartexts.
    const tx = await fn(local, 'publishDecryption')(...args(message), sign(localDomain, message, parties.slice(1, 1 + THRESHOLD)));
    const receipt = await tx.wait();
    expect(receipt.status).toBe(1);
    const event = receipt.logs.map((l: { topics: string[]; data: string }) => local.interface.parseLog(l)).find((e: { name: string } | null) => e?.name === 'PublicDecryption');
    expect(event.args.handles).toEqual(message.handles);
    expect(event.args.cleartexts).toEqual(message.plaintexts);
    expect(event.args.extraData).toBe(hexlify(message.extraData!));

    expect(await revertOf(fn(local, 'publishDecryption')(...args(message), sign(localDomain, message, [parties[0]!, outsider])))).toEqual({
      name: 'NotEnoughSignatures',
      args: [1n, BigInt(THRESHOLD)],
    });
  });

  test('behavior: the constructor refuses a bad signer set or threshold', async () => {
    const signers = parties.map((p) => p.address);
    const zero = '0x' + '00'.repeat(20);
    expect((await revertOf(deploy(0n, zero, signers, N + 1)))?.name).toBe('InvalidThreshold');
    expect((await revertOf(deploy(0n, zero, signers, 0)))?.name).toBe('InvalidThreshold');
    expect((await revertOf(deploy(0n, zero, [...signers, signers[0]!], THRESHOLD)))?.name).toBe('InvalidSigner');
    expect((await revertOf(deploy(0n, zero, [...signers, zero], THRESHOLD)))?.name).toBe('InvalidSigner');
  });
});
