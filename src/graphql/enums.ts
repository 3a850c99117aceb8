import { registerEnumType } from 'type-graphql';
import { ConsentDecision, ConsentStatus } from '../domain/consent-status';
import { UserErrorCode } from '../domain/errors';
import { DeviceBindingStatus, RegistrationStatus } from '../domain/registration-status';

// The domain enums are the GraphQL enums: their values equal their names, so nothing maps.
registerEnumType(RegistrationStatus, {
  name: 'RegistrationStatus',
  description: 'Lifecycle of one SMS-token device-binding attempt.',
  valuesConfig: {
    PENDING_SMS: {
      description: 'Token issued; the SMS has not reached the virtual mobile number (VMN) yet.',
    },
    SMS_VERIFIED: {
      description:
        'The SMS arrived from an acceptable number; bindDevice may complete the binding.',
    },
    BOUND: { description: 'bindDevice completed: a DeviceBinding exists.' },
    DECLINED: {
      description:
        'Declined: by the customer (app toggle), or for fraud (same token from several numbers).',
    },
    EXPIRED: { description: 'The token expired before binding completed.' },
    MISMATCH: { description: 'The SMS came from a number other than the expected mobile number.' },
  },
});

registerEnumType(DeviceBindingStatus, { name: 'DeviceBindingStatus' });
registerEnumType(ConsentStatus, { name: 'ConsentStatus' });
registerEnumType(ConsentDecision, { name: 'ConsentDecision' });
registerEnumType(UserErrorCode, {
  name: 'UserErrorCode',
  description: 'Machine-readable reason a mutation did not do what was asked.',
});

export { ConsentDecision, ConsentStatus, DeviceBindingStatus, RegistrationStatus, UserErrorCode };
