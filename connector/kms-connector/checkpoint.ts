/**
 * @module connector/kms-connector/checkpoint
 * The height from which a restarted connector replays events. Written with
 * write-then-rename so a crash leaves either the old or the new value.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface Checkpoint {
  load(): number | undefined;
  save(height: number): void;
}

export function fileCheckpoint(path: string): Checkpoint {
  let last: number | undefined;
  return {
    load() {
      if (!existsSync(path)) return undefined;
      const { height } = JSON.parse(readFileSync(path, 'utf8')) as { height: number };
      return Number.isInteger(height) && height >= 0 ? height : undefined;
    },
    save(height) {
      if (height === last) return;
      last = height;
      writeFileSync(`${path}.tmp`, JSON.stringify({ height }));
      renameSync(`${path}.tmp`, path);
    },
  };
}
