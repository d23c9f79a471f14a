/**
 * @module core/service/preprocessingStorage
 * Private storage scoped to one keygen preprocessing, for material too large
 * to return in one piece (the DKG's random bits and triples: gigabytes for a
 * real parameter set). The core backs it with its private storage, so every
 * object is sealed by the vault outside dev mode; the objects of a
 * preprocessing are wiped once a keygen used it (or it failed).
 */
import type { ObjectStorage } from './storage.js';

export interface PreprocessingStorage {
  read(name: string): Promise<Uint8Array | undefined>;
  write(name: string, bytes: Uint8Array | string): Promise<void>;
  wipe(name: string): Promise<void>;
  /** Wipes every object of the preprocessing. */
  wipeAll(): Promise<void>;
}

/** Where the parts live: one data type, ids `<preprocId>-<name>`. */
export const PREPROCESSING_PART = 'KeyGenPreprocPart';

export function preprocessingStorage(storage: ObjectStorage, preprocId: string): PreprocessingStorage {
  const id = (name: string): string => `${preprocId}-${name}`;
  return {
    read: (name) => storage.read(PREPROCESSING_PART, id(name)),
    // Durable before the progress that counts it is written.
    write: (name, bytes) => storage.write(PREPROCESSING_PART, id(name), bytes),
    wipe: (name) => storage.wipe(PREPROCESSING_PART, id(name)),
    async wipeAll() {
      for (const part of await storage.list(PREPROCESSING_PART)) if (part.startsWith(`${preprocId}-`)) await storage.wipe(PREPROCESSING_PART, part);
    },
  };
}
