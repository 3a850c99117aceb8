import pino, { type Logger } from 'pino';

/** Headers and fields that carry secrets, tokens or full mobile numbers never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers["x-api-token"]',
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-signature"]',
  'req.headers["x-merchant-signature"]',
  'req.headers["x-uaepass-signature"]',
  'req.headers["x-up-accesstoken"]',
  'req.headers["router-authorization"]',
  '*.smsContent',
  '*.apiToken',
  '*.keySecret',
  '*.signingSecret',
  '*.clientSecret',
  '*.mobileNumber',
  '*.mobile',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
