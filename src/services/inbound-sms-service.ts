import { randomUUID } from 'node:crypto';
import { fail, ok, type Outcome, UserErrorCode, userError } from '../domain/errors';
import { judgeInboundSms } from '../domain/inbound-sms';
import { canonicalMobileNumber } from '../domain/mobile-number';
import { hashSmsToken } from '../domain/sms-token';
import { InputCheck, LIMITS } from '../domain/validation';
import { InboundSms, Registration } from '../persistence/entities';
import { type ServiceDeps } from './deps';
import { appendRow } from './appended-rows';
import { moveRegistration } from './registration-transitions';
import { inTransaction } from './transactions';

const ISO_DATE_TIME =
  /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export interface InboundSmsInput {
  messageId: string;
  from: string;
  to: string;
  content: string;
  receivedAt: string;
}

export interface InboundSmsReceipt {
  messageId: string;
  /** True when this messageId was already accepted: nothing happened again. */
  duplicate: boolean;
  /** What the SMS did, e.g. SMS_VERIFIED, UNKNOWN_TOKEN. */
  outcome: string;
}

/** Accepts what the VMN aggregator reports. It is not tenant-scoped: the token finds the registration. */
export class InboundSmsService {
  constructor(private readonly deps: ServiceDeps) {}

  async accept(input: InboundSmsInput): Promise<Outcome<InboundSmsReceipt>> {
    const check = new InputCheck()
      .text('messageId', input.messageId, 128)
      .mobileNumber('from', input.from)
      .mobileNumber('to', input.to)
      .text('content', input.content, LIMITS.smsContent)
      .text('receivedAt', input.receivedAt, 40);
    if (check.errors.length > 0) return fail(...check.errors);
    const receivedAt = new Date(input.receivedAt);
    // An ISO 8601 date-time in years 1000-9999: what an aggregator sends and every database stores.
    if (!ISO_DATE_TIME.test(input.receivedAt) || Number.isNaN(receivedAt.getTime())) {
      return fail(
        userError(
          UserErrorCode.INVALID_INPUT,
          'receivedAt must be an ISO 8601 date-time',
          'receivedAt',
        ),
      );
    }
    const sender = canonicalMobileNumber(input.from) as string;
    const recipient = canonicalMobileNumber(input.to) as string;
    const tokenHash = hashSmsToken(input.content);

    return inTransaction(this.deps.orm, async (em, attempt) => {
      // A redelivered messageId fails the first attempt on its unique key; the retry answers it.
      if (attempt > 1) {
        const seen = await em.findOne(InboundSms, { messageId: input.messageId });
        if (seen) return ok({ messageId: input.messageId, duplicate: true, outcome: seen.outcome });
      }

      const now = this.deps.clock();
      const registration = await em.findOne(Registration, { tokenHash });
      let outcome = 'UNKNOWN_TOKEN';
      if (registration) {
        const verdict = judgeInboundSms(registration, sender, now);
        if (verdict.kind === 'transition') {
          if (verdict.recordSender) registration.mobileNumber = sender;
          moveRegistration(em, registration, verdict.to, verdict.reason, now);
          outcome = verdict.to;
        } else {
          outcome = `NO_CHANGE: ${verdict.reason}`;
        }
      }
      appendRow(em, InboundSms, {
        id: randomUUID(),
        messageId: input.messageId,
        sender,
        recipient,
        tokenHash,
        registrationId: registration?.id ?? null,
        outcome: outcome.slice(0, 200),
        receivedAt,
        createdAt: now,
      });
      return ok({ messageId: input.messageId, duplicate: false, outcome });
    });
  }
}
