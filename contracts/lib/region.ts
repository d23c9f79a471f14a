/**
 * @module contracts/lib/region
 * The CosmWasm memory ABI: every value that crosses the host boundary is described
 * by a Region `{offset: u32, capacity: u32, length: u32}` (12 bytes, little-endian,
 * cosmwasm-std `src/memory.rs`). The host obtains memory through the exported
 * `allocate` — also from inside imports such as `db_read`, so `allocate` must not
 * rely on any state a caller is in the middle of changing. With the stub runtime
 * `heap.alloc` is a bump allocator, which is re-entrant by construction.
 */

const REGION_SIZE: usize = 12;

/** Exported as `allocate`: reserves at least `size` bytes and returns a pointer to a Region describing them. */
export function allocate(size: u32): u32 {
  // Capacity is 3× the request: cosmwasm-vm-js (cw-simulate, our embedded chain)
  // asks for the UTF-16 length of a JSON message and then writes its UTF-8 bytes,
  // up to 3× as many, into the Region. A larger capacity is valid for any host.
  const capacity = size <= 0x0fffffff ? size * 3 : size;
  // Never hand out offset 0: cosmwasm-vm rejects a Region with a zero offset
  // (region_validation_error.rs), even for an empty value.
  const data = heap.alloc(<usize>(capacity > 0 ? capacity : <u32>1));
  const region = heap.alloc(REGION_SIZE);
  store<u32>(region, <u32>data, 0);
  store<u32>(region, capacity, 4);
  store<u32>(region, 0, 8);
  return <u32>region;
}

/** Exported as `deallocate`: the stub runtime never frees; a contract instance lives for one call. */
export function deallocate(ptr: u32): void {
  // Nothing to do: memory is discarded with the instance after each entry point call.
}

export function regionOffset(region: u32): u32 {
  return load<u32>(<usize>region, 0);
}

export function regionLength(region: u32): u32 {
  return load<u32>(<usize>region, 8);
}

/** Copies the bytes a Region describes into a new array. */
export function readRegion(region: u32): Uint8Array {
  const len = regionLength(region);
  const out = new Uint8Array(<i32>len);
  memory.copy(out.dataStart, <usize>regionOffset(region), <usize>len);
  return out;
}

export function readRegionString(region: u32): string {
  return String.UTF8.decodeUnsafe(<usize>regionOffset(region), <usize>regionLength(region));
}

/** A Region that points at the bytes of `data` (which must stay alive for the call). */
export function regionOf(data: Uint8Array): u32 {
  const region = heap.alloc(REGION_SIZE);
  store<u32>(region, <u32>data.dataStart, 0);
  store<u32>(region, <u32>data.length, 4);
  store<u32>(region, <u32>data.length, 8);
  return <u32>region;
}

export function regionOfString(s: string): u32 {
  return regionOf(Uint8Array.wrap(String.UTF8.encode(s)));
}
