/**
 * @module core/service/errors
 * Errors of the KMS core. Codes are the stable strings of `common/errors.ts`;
 * `grpcStatusOf` maps them to the status codes listed in `core.proto`.
 */
import { status } from '@grpc/grpc-js';
import { TkmsError, type TkmsErrorOptions } from '../../common/errors.js';

/** The config file is missing, unreadable or wrong; `details` names the field. */
export class CoreConfigError extends TkmsError {
  override name = 'CoreConfigError';
  constructor(shortMessage: string, options: TkmsErrorOptions = {}) {
    super('CONFIG_INVALID', shortMessage, options);
  }
}

/**
 * A request the core refuses before starting a job (gRPC error, not a signed failure).
 * `code` is one of INVALID_ARGUMENT, ALREADY_EXISTS, NOT_FOUND, UNAVAILABLE, RESOURCE_EXHAUSTED.
 */
export class CoreRequestError extends TkmsError {
  override name = 'CoreRequestError';
  constructor(code: CoreRequestErrorCode, shortMessage: string, options: TkmsErrorOptions = {}) {
    super(code, shortMessage, options);
  }
}

export type CoreRequestErrorCode = 'INVALID_ARGUMENT' | 'ALREADY_EXISTS' | 'NOT_FOUND' | 'UNAVAILABLE' | 'RESOURCE_EXHAUSTED';

const GRPC_STATUS: Record<CoreRequestErrorCode, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  NOT_FOUND: status.NOT_FOUND,
  UNAVAILABLE: status.UNAVAILABLE,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
};

/** The gRPC status a thrown error is reported with; unknown errors are INTERNAL. */
export function grpcStatusOf(e: unknown): status {
  if (e instanceof CoreRequestError) return GRPC_STATUS[e.code as CoreRequestErrorCode] ?? status.INTERNAL;
  return status.INTERNAL;
}
