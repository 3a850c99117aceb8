import { type EventBus } from '../events/pubsub';
import { BindingService } from './binding-service';
import { ConsentService } from './consent-service';
import { CustomerService } from './customer-service';
import { type ServiceDeps } from './deps';
import { InboundSmsService } from './inbound-sms-service';
import { RegistrationService } from './registration-service';

/** The one service layer GraphQL and REST both call. */
export interface Services {
  registrations: RegistrationService;
  bindings: BindingService;
  inboundSms: InboundSmsService;
  consents: ConsentService;
  customers: CustomerService;
  /** Committed status changes, as the outbox relay publishes them. */
  events: EventBus;
}

export function createServices(deps: ServiceDeps, events: EventBus): Services {
  return {
    registrations: new RegistrationService(deps),
    bindings: new BindingService(deps),
    inboundSms: new InboundSmsService(deps),
    consents: new ConsentService(deps),
    customers: new CustomerService(deps),
    events,
  };
}

export type { Caller, ServiceDeps } from './deps';
export { callerOf } from './deps';
