import { type Logger } from 'pino';
import { ConsentStatus } from '../domain/consent-status';
import { OPEN_REGISTRATION_STATUSES, RegistrationStatus } from '../domain/registration-status';
import { ConsentTransaction, Registration } from '../persistence/entities';
import { type Orm } from '../persistence/orm';
import { recordConsentStatus } from '../services/consent-service';
import { moveRegistration } from '../services/registration-transitions';
import { inTransaction } from '../services/transactions';

const BATCH_SIZE = 100;

/**
 * Moves overdue registrations and consents to EXPIRED on time, not on read. Each row changes in its
 * own transaction guarded by its version, so several instances sweeping at once expire it once.
 */
export class ExpirySweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly orm: Orm,
    private readonly clock: () => Date,
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly onExpired: () => void = () => undefined,
  ) {}

  start(): void {
    const tick = () => {
      void this.sweep()
        .catch((error: unknown) => this.log.error({ err: error }, 'expiry sweep failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass; returns how many rows it expired. */
  sweep(): Promise<number> {
    if (!this.running) {
      this.running = this.expireOverdue().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async expireOverdue(): Promise<number> {
    const now = this.clock();
    const em = this.orm.em.fork();
    const registrations = await em.find(
      Registration,
      { status: { $in: [...OPEN_REGISTRATION_STATUSES] }, expiresAt: { $lt: now } },
      { fields: ['id'], limit: BATCH_SIZE },
    );
    const consents = await em.find(
      ConsentTransaction,
      { status: ConsentStatus.TRIGGERED, expiresAt: { $lt: now } },
      { fields: ['id'], limit: BATCH_SIZE },
    );
    let expired = 0;
    for (const { id } of registrations) {
      if (await this.expireRegistration(id)) expired++;
    }
    for (const { id } of consents) {
      if (await this.expireConsent(id)) expired++;
    }
    if (expired > 0) this.onExpired();
    return expired;
  }

  private async expireRegistration(id: string): Promise<boolean> {
    return this.once(() =>
      inTransaction(
        this.orm,
        async (em) => {
          const now = this.clock();
          const reg = await em.findOne(Registration, { id });
          if (
            !reg ||
            !OPEN_REGISTRATION_STATUSES.includes(reg.status as never) ||
            reg.expiresAt >= now
          )
            return false;
          moveRegistration(
            em,
            reg,
            RegistrationStatus.EXPIRED,
            'The token expired before binding completed',
            now,
          );
          return true;
        },
        1,
      ),
    );
  }

  private async expireConsent(id: string): Promise<boolean> {
    return this.once(() =>
      inTransaction(
        this.orm,
        async (em) => {
          const now = this.clock();
          const consent = await em.findOne(ConsentTransaction, { id });
          if (!consent || consent.status !== ConsentStatus.TRIGGERED || consent.expiresAt >= now)
            return false;
          consent.status = ConsentStatus.EXPIRED;
          recordConsentStatus(em, consent, now);
          return true;
        },
        1,
      ),
    );
  }

  /** Another instance (or a user's bind) changing the row first is not an error: the row is settled. */
  private async once(work: () => Promise<boolean>): Promise<boolean> {
    try {
      return await work();
    } catch (error) {
      if ((error as Error).name === 'OptimisticLockError') return false;
      throw error;
    }
  }
}
