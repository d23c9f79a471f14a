/**
 * @module common/logger
 * pino loggers with one redaction list for every component, so that a secret
 * placed in a log object by mistake is masked rather than written.
 */
import { pino, type Logger } from 'pino';

export const REDACTED_PATHS = ['mnemonic', 'privateKey', 'private_key', 'secretKey', 'clientKey', '*.mnemonic', '*.privateKey', '*.secretKey', '*.clientKey'];

export function createLogger(component: string, level = process.env['TKMS_LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ name: component, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
