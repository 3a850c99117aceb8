/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> =
  T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedQueryDocumentNode as DocumentNode } from 'graphql';
export type BindDeviceInput = {
  /** Deregister this customer's older active bindings on success. */
  deregisterOldBindings?: boolean | null | undefined;
  deviceId: string;
  /** Same key + same input within 24 h returns the first result; same key + other input is IDEMPOTENCY_KEY_REUSED. */
  idempotencyKey?: string | null | undefined;
  manufacturer: string;
  merchantCustomerId: string;
  /** 12-digit mobile number the customer claims; must match the SMS sender. */
  mobileNumber: string;
  model: string;
  os: string;
  osVersion: string;
  packageName: string;
  smsContent: string;
  ssid: string;
  udfParameters?: string | null | undefined;
};

export type ConsentStatus = 'ACCEPTED' | 'EXPIRED' | 'INIT_FAILED' | 'REJECTED' | 'TRIGGERED';

export type DeviceBindingStatus = 'ACTIVE' | 'DEREGISTERED';

/** Lifecycle of one SMS-token device-binding attempt. */
export type RegistrationStatus =
  /** bindDevice completed: a DeviceBinding exists. */
  | 'BOUND'
  /** Declined: by the customer (app toggle), or for fraud (same token from several numbers). */
  | 'DECLINED'
  /** The token expired before binding completed. */
  | 'EXPIRED'
  /** The SMS came from a number other than the expected mobile number. */
  | 'MISMATCH'
  /** Token issued; the SMS has not reached the virtual mobile number (VMN) yet. */
  | 'PENDING_SMS'
  /** The SMS arrived from an acceptable number; bindDevice may complete the binding. */
  | 'SMS_VERIFIED';

export type RequestConsentInput = {
  /** HTTPS endpoint that receives a signed callback when the status settles. */
  callbackUrl?: string | null | undefined;
  /** Seconds until the request expires; the service's default when absent. */
  expiresInSeconds?: number | null | undefined;
  merchantCustomerId: string;
  purpose: string;
  spTransactionID: string;
};

export type RequestSmsTokenInput = {
  deviceId: string;
  /** 12-digit mobile number the SMS is expected from, when the app knows it. */
  expectedMobileNumber?: string | null | undefined;
  merchantCustomerId: string;
  os: string;
  /** SIM identifier, when the app knows it before binding (legacy polling looks attempts up by deviceId + ssid). */
  ssid?: string | null | undefined;
  /** Stringified JSON object of merchant-defined parameters, echoed back. */
  udfParameters?: string | null | undefined;
};

/** Machine-readable reason a mutation did not do what was asked. */
export type UserErrorCode =
  | 'ALREADY_BOUND'
  | 'ALREADY_DECLINED'
  | 'ATTEMPT_LIMIT_EXCEEDED'
  | 'CONSENT_ALREADY_DECIDED'
  | 'CONSENT_EXPIRED'
  | 'DEVICE_MISMATCH'
  | 'DEVICE_NOT_BOUND'
  | 'DUPLICATE_TRANSACTION'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INVALID_INPUT'
  | 'MOBILE_MISMATCH'
  | 'NOT_FOUND'
  | 'SMS_VERIFICATION_PENDING'
  | 'TOKEN_EXPIRED';

export type BindDeviceMutationVariables = Exact<{
  input: BindDeviceInput;
}>;

export type BindDeviceMutation = {
  bindDevice: {
    deviceBinding: { id: string; fingerprint: string; status: DeviceBindingStatus } | null;
    errors: Array<{ code: UserErrorCode; message: string; field: Array<string> | null }>;
  };
};

export type CustomerWithProfileQueryVariables = Exact<{
  merchantCustomerId: string | number;
}>;

export type CustomerWithProfileQuery = {
  customer: {
    merchantCustomerId: string;
    name: string;
    email: string;
    devices: Array<{ fingerprint: string; status: DeviceBindingStatus }>;
    registrations: Array<{ status: RegistrationStatus }>;
  } | null;
};

export type RegistrationEntitiesQueryVariables = Exact<{
  representations:
    | Array<{ __typename: string; [key: string]: unknown }>
    | { __typename: string; [key: string]: unknown };
}>;

export type RegistrationEntitiesQuery = {
  _entities: Array<
    | { __typename: 'ConsentTransaction' }
    | { __typename: 'Customer' }
    | { __typename: 'DeviceBinding' }
    | { __typename: 'Registration'; id: string; status: RegistrationStatus }
    | null
  >;
};

export type DeviceBindingEntitiesQueryVariables = Exact<{
  representations:
    | Array<{ __typename: string; [key: string]: unknown }>
    | { __typename: string; [key: string]: unknown };
}>;

export type DeviceBindingEntitiesQuery = {
  _entities: Array<
    | { __typename: 'ConsentTransaction' }
    | { __typename: 'Customer' }
    | { __typename: 'DeviceBinding'; id: string; status: DeviceBindingStatus }
    | { __typename: 'Registration' }
    | null
  >;
};

export type ConsentTransactionEntitiesQueryVariables = Exact<{
  representations:
    | Array<{ __typename: string; [key: string]: unknown }>
    | { __typename: string; [key: string]: unknown };
}>;

export type ConsentTransactionEntitiesQuery = {
  _entities: Array<
    | {
        __typename: 'ConsentTransaction';
        spId: string;
        spTransactionID: string;
        status: ConsentStatus;
      }
    | { __typename: 'Customer' }
    | { __typename: 'DeviceBinding' }
    | { __typename: 'Registration' }
    | null
  >;
};

export type RegistrationQueryVariables = Exact<{
  id: string | number;
}>;

export type RegistrationQuery = { registration: { id: string; status: RegistrationStatus } | null };

export type RequestConsentMutationVariables = Exact<{
  input: RequestConsentInput;
}>;

export type RequestConsentMutation = {
  requestConsent: {
    consentTransaction: { spId: string; spTransactionID: string; status: ConsentStatus } | null;
    errors: Array<{ code: UserErrorCode; message: string; field: Array<string> | null }>;
  };
};

export type RequestSmsTokenMutationVariables = Exact<{
  input: RequestSmsTokenInput;
}>;

export type RequestSmsTokenMutation = {
  requestSmsToken: {
    smsContent: string | null;
    registration: { id: string; status: RegistrationStatus; vmn: string } | null;
    errors: Array<{ code: UserErrorCode; message: string; field: Array<string> | null }>;
  };
};

export const BindDeviceDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'mutation',
      name: { kind: 'Name', value: 'BindDevice' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'input' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'BindDeviceInput' } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'bindDevice' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'input' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'input' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'deviceBinding' },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'fingerprint' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'status' } },
                    ],
                  },
                },
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'errors' },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'code' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'message' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'field' } },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<BindDeviceMutation, BindDeviceMutationVariables>;
export const CustomerWithProfileDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'CustomerWithProfile' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'merchantCustomerId' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'ID' } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'customer' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'merchantCustomerId' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'merchantCustomerId' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'merchantCustomerId' } },
                { kind: 'Field', name: { kind: 'Name', value: 'name' } },
                { kind: 'Field', name: { kind: 'Name', value: 'email' } },
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'devices' },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'fingerprint' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'status' } },
                    ],
                  },
                },
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'registrations' },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [{ kind: 'Field', name: { kind: 'Name', value: 'status' } }],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<CustomerWithProfileQuery, CustomerWithProfileQueryVariables>;
export const RegistrationEntitiesDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'RegistrationEntities' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'representations' } },
          type: {
            kind: 'NonNullType',
            type: {
              kind: 'ListType',
              type: {
                kind: 'NonNullType',
                type: { kind: 'NamedType', name: { kind: 'Name', value: '_Any' } },
              },
            },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: '_entities' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'representations' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'representations' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: '__typename' } },
                {
                  kind: 'InlineFragment',
                  typeCondition: {
                    kind: 'NamedType',
                    name: { kind: 'Name', value: 'Registration' },
                  },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'status' } },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<RegistrationEntitiesQuery, RegistrationEntitiesQueryVariables>;
export const DeviceBindingEntitiesDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'DeviceBindingEntities' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'representations' } },
          type: {
            kind: 'NonNullType',
            type: {
              kind: 'ListType',
              type: {
                kind: 'NonNullType',
                type: { kind: 'NamedType', name: { kind: 'Name', value: '_Any' } },
              },
            },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: '_entities' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'representations' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'representations' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: '__typename' } },
                {
                  kind: 'InlineFragment',
                  typeCondition: {
                    kind: 'NamedType',
                    name: { kind: 'Name', value: 'DeviceBinding' },
                  },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'status' } },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<DeviceBindingEntitiesQuery, DeviceBindingEntitiesQueryVariables>;
export const ConsentTransactionEntitiesDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'ConsentTransactionEntities' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'representations' } },
          type: {
            kind: 'NonNullType',
            type: {
              kind: 'ListType',
              type: {
                kind: 'NonNullType',
                type: { kind: 'NamedType', name: { kind: 'Name', value: '_Any' } },
              },
            },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: '_entities' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'representations' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'representations' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: '__typename' } },
                {
                  kind: 'InlineFragment',
                  typeCondition: {
                    kind: 'NamedType',
                    name: { kind: 'Name', value: 'ConsentTransaction' },
                  },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'spId' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'spTransactionID' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'status' } },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<
  ConsentTransactionEntitiesQuery,
  ConsentTransactionEntitiesQueryVariables
>;
export const RegistrationDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'Registration' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'id' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'ID' } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'registration' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'id' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'id' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                { kind: 'Field', name: { kind: 'Name', value: 'status' } },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<RegistrationQuery, RegistrationQueryVariables>;
export const RequestConsentDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'mutation',
      name: { kind: 'Name', value: 'RequestConsent' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'input' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'RequestConsentInput' } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'requestConsent' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'input' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'input' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'consentTransaction' },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'spId' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'spTransactionID' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'status' } },
                    ],
                  },
                },
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'errors' },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'code' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'message' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'field' } },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<RequestConsentMutation, RequestConsentMutationVariables>;
export const RequestSmsTokenDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'mutation',
      name: { kind: 'Name', value: 'RequestSmsToken' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'input' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'RequestSmsTokenInput' } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'requestSmsToken' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'input' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'input' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'smsContent' } },
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'registration' },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'status' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'vmn' } },
                    ],
                  },
                },
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'errors' },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'code' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'message' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'field' } },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<RequestSmsTokenMutation, RequestSmsTokenMutationVariables>;
