import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { RegistrationStatus } from '../../domain/registration-status';

/** One row per status a registration entered, oldest first by `at` then `id`. */
@Entity({ tableName: 'registration_event' })
@Index({ properties: ['registrationId', 'at'] })
export class RegistrationEvent {
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  registrationId!: string;

  @Property({ type: 'string', length: 20 })
  status!: RegistrationStatus;

  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  @Property({ type: 'datetime' })
  at!: Date;
}
