/**
 * @module contracts/lib/keccak
 * Keccak-256 as Ethereum uses it (the original Keccak submission: pad10*1 with
 * domain byte 0x01, not FIPS 202 SHA3's 0x06), rate 1088 bits = 136 bytes,
 * capacity 512. Plain AssemblyScript: the stable CosmWasm import list has no hash.
 *
 * @example
 *   keccak256(new Uint8Array(0)) // c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470
 */

const RATE: i32 = 136;

/** Round constants RC[i] of the ι step (Keccak reference, §1.2). */
const RC: StaticArray<u64> = [
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
  0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
  0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
  0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
  0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
];

/** ρ rotation offsets, in the order the combined ρπ walk visits the lanes. */
const ROTC: StaticArray<u64> = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44];
/** π lane permutation: the lane index visited at each step of the ρπ walk. */
const PILN: StaticArray<i32> = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1];

/** Keccak-f[1600]: 24 rounds of θ, ρ, π, χ, ι over 25 little-endian 64-bit lanes. */
function keccakF(s: StaticArray<u64>, bc: StaticArray<u64>): void {
  for (let round = 0; round < 24; round++) {
    // θ: XOR each lane with the parities of two neighbouring columns.
    for (let i = 0; i < 5; i++) {
      unchecked((bc[i] = s[i] ^ s[i + 5] ^ s[i + 10] ^ s[i + 15] ^ s[i + 20]));
    }
    for (let i = 0; i < 5; i++) {
      const t = unchecked(bc[(i + 4) % 5]) ^ rotl<u64>(unchecked(bc[(i + 1) % 5]), 1);
      for (let j = 0; j < 25; j += 5) unchecked((s[j + i] ^= t));
    }
    // ρ and π: rotate each lane and move it to its new position.
    let t = unchecked(s[1]);
    for (let i = 0; i < 24; i++) {
      const j = unchecked(PILN[i]);
      const next = unchecked(s[j]);
      unchecked((s[j] = rotl<u64>(t, unchecked(ROTC[i]))));
      t = next;
    }
    // χ: the only non-linear step, row by row.
    for (let j = 0; j < 25; j += 5) {
      for (let i = 0; i < 5; i++) unchecked((bc[i] = s[j + i]));
      for (let i = 0; i < 5; i++) unchecked((s[j + i] ^= ~bc[(i + 1) % 5] & bc[(i + 2) % 5]));
    }
    // ι: break the symmetry between rounds.
    unchecked((s[0] ^= RC[round]));
  }
}

/** Absorbs one RATE-byte block at `ptr` (lanes little-endian, as wasm loads them). */
function absorb(s: StaticArray<u64>, ptr: usize): void {
  for (let i = 0; i < RATE / 8; i++) unchecked((s[i] ^= load<u64>(ptr + (<usize>i << 3))));
}

/** Returns the 32-byte Keccak-256 digest of `data`. */
export function keccak256(data: Uint8Array): Uint8Array {
  return sponge256(data, 0x01);
}

/**
 * Returns the 32-byte FIPS 202 SHA3-256 digest of `data`: the same sponge and
 * rate as Keccak-256, only the domain byte differs (0x06: the SHA3 suffix bits 01
 * and the first padding bit).
 *
 * @example
 *   sha3_256(new Uint8Array(0)) // a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a
 */
export function sha3_256(data: Uint8Array): Uint8Array {
  return sponge256(data, 0x06);
}

/** The 256-bit-output sponge (rate 136 bytes) with the given domain/padding byte. */
function sponge256(data: Uint8Array, domain: u8): Uint8Array {
  const s = new StaticArray<u64>(25);
  const bc = new StaticArray<u64>(5);
  const len = data.length;
  let off = 0;
  for (; off + RATE <= len; off += RATE) {
    absorb(s, data.dataStart + <usize>off);
    keccakF(s, bc);
  }
  // Last (possibly empty) block: the rest of the message, then pad10*1 with the
  // domain byte (Keccak 0x01, SHA3 0x06) and the final bit 0x80 (same byte when only one is left).
  const last = new Uint8Array(RATE);
  const rest = len - off;
  for (let i = 0; i < rest; i++) unchecked((last[i] = data[off + i]));
  last[rest] ^= domain;
  last[RATE - 1] ^= 0x80;
  absorb(s, last.dataStart);
  keccakF(s, bc);
  // Squeeze 32 bytes: the first four lanes, little-endian.
  const out = new Uint8Array(32);
  for (let i = 0; i < 4; i++) store<u64>(out.dataStart + (<usize>i << 3), unchecked(s[i]));
  return out;
}

/** keccak256 of the concatenation of two byte strings (Solidity `keccak256(abi.encodePacked(a, b))`). */
export function keccak256Pair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(a.length + b.length);
  buf.set(a, 0);
  buf.set(b, a.length);
  return keccak256(buf);
}
