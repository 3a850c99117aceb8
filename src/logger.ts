import pino, { type Logger } from 'pino';
import { logMaskingOptions } from './observability/log-masking';

/** JSON lines; secrets, tokens and mobile numbers are masked at any depth (see log-masking). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, ...logMaskingOptions }, destination);
}
