/**
 * @module common/errors
 * One error base for the whole system. `code` is a stable string shared by the
 * contracts' error JSON, gRPC status details and the CLI's exit output.
 */

export interface TkmsErrorOptions {
  details?: string;
  cause?: unknown;
}

export class TkmsError extends Error {
  override name = 'TkmsError';
  readonly code: string;
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(code: string, shortMessage: string, options: TkmsErrorOptions = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
  }

  /** Follows `cause` to the deepest error (or the first matching `fn`). */
  walk(fn?: (e: unknown) => boolean): unknown {
    let e: unknown = this;
    for (;;) {
      if (fn?.(e)) return e;
      const next = e instanceof Error ? e.cause : undefined;
      if (next === undefined) return fn ? undefined : e;
      e = next;
    }
  }
}

/** The chain rejected a transaction; `log` holds the contract's own message. */
export class ChainTxError extends TkmsError {
  override name = 'ChainTxError';
  constructor(
    readonly log: string,
    options: TkmsErrorOptions & { txHash?: string; code?: string } = {},
  ) {
    super(options.code ?? 'CHAIN_TX_FAILED', `transaction failed: ${log}`, options);
  }
}

export class TimeoutError extends TkmsError {
  override name = 'TimeoutError';
  constructor(what: string, ms: number) {
    super('TIMEOUT', `timed out after ${ms} ms waiting for ${what}`);
  }
}
