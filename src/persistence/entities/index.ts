import { CallbackDelivery } from './callback-delivery.entity';
import { ConsentTransaction } from './consent-transaction.entity';
import { Customer } from './customer.entity';
import { DeviceBinding } from './device-binding.entity';
import { IdempotencyRecord } from './idempotency-record.entity';
import { InboundSms } from './inbound-sms.entity';
import { OutboxEvent } from './outbox-event.entity';
import { RegistrationEvent } from './registration-event.entity';
import { Registration } from './registration.entity';
import { Tenant } from './tenant.entity';

export {
  CallbackDelivery,
  ConsentTransaction,
  Customer,
  DeviceBinding,
  IdempotencyRecord,
  InboundSms,
  OutboxEvent,
  Registration,
  RegistrationEvent,
  Tenant,
};

export const ENTITIES = [
  Tenant,
  Customer,
  Registration,
  RegistrationEvent,
  InboundSms,
  DeviceBinding,
  ConsentTransaction,
  IdempotencyRecord,
  OutboxEvent,
  CallbackDelivery,
];
