/**
 * @module connector/kms-connector/keyStateSync
 * Mirrors the ASC's key lifecycle into this party's core (issue 5): the
 * connector reads every key's `state` from the ASC and calls the core's
 * `SetKeyState` when it differs from what it last told the core.
 *
 * Why a query loop and not the `wasm-tkms_key_state` event: only governance
 * moves keys, and on wasmd a governance-run contract message executes in the
 * gov module's end blocker, so its events are finalize-block events, not tx
 * events (chain/wasmd/governance.ts); the embedded chain has them in txs. The
 * query is the chain's own word on both, and a restarted connector converges
 * at its first round (it pushes every key's state once; the core treats an
 * unchanged state as a no-op). A state missed between two rounds (e.g.
 * deactivated then destroyed) is fine: the core takes the latest.
 */
import type { Logger } from 'pino';
import type { KmsChainClient } from '../../chain/client.js';
import type { KeyInfo, KeysResponse } from '../../chain/asc/messages.js';

export interface KeyStatePort {
  setKeyState(keyId: string, state: string): Promise<void>;
}

export interface KeyStateSyncOptions {
  chain: KmsChainClient;
  asc: string;
  core: KeyStatePort;
  logger: Logger;
  /** Poll period, ms (default 2000). */
  intervalMs?: number;
}

/** Every key on the ASC, paged in creation order. */
export async function allKeys(chain: KmsChainClient, asc: string): Promise<KeyInfo[]> {
  const out: KeyInfo[] = [];
  for (;;) {
    const last = out.at(-1)?.key_id;
    const page = (await chain.queryContract<KeysResponse>(asc, { keys: { limit: 100, ...(last ? { start_after: last } : {}) } })).keys;
    out.push(...page);
    if (page.length < 100) return out;
  }
}

export class KeyStateSync {
  /** key id → state the core confirmed. */
  private readonly told = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: KeyStateSyncOptions) {}

  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.syncOnce().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(tick, this.o.intervalMs ?? 2000);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round: pushes every changed state; failures are logged and retried next round. */
  async syncOnce(): Promise<void> {
    let keys: KeyInfo[];
    try {
      keys = await allKeys(this.o.chain, this.o.asc);
    } catch (err) {
      this.o.logger.warn({ err }, 'reading key states from the ASC failed; retrying');
      return;
    }
    for (const k of keys) {
      const state = k.state ?? 'active';
      if (this.told.get(k.key_id) === state) continue;
      try {
        await this.o.core.setKeyState(k.key_id, state);
        this.told.set(k.key_id, state);
        this.o.logger.info({ keyId: k.key_id, state }, 'key state mirrored to the core');
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'NOT_FOUND') {
          // The core does not hold the key (it never generated it, or its key generation
          // is still finishing after the quorum formed). Active is what it would assume
          // anyway; any other state is offered again each round until the core has the key.
          if (state === 'active') this.told.set(k.key_id, state);
          else this.o.logger.debug({ keyId: k.key_id, state }, 'core does not hold the key yet');
        } else this.o.logger.warn({ err, keyId: k.key_id, state }, 'mirroring a key state to the core failed; retrying');
      }
    }
  }
}
