import { UserErrorCode } from '../../../src/domain/errors';

/** The contract's queries and mutations (and federation's `_entities`) as the hostile suite sends them. */

const REG = `__typename id refNumber merchantCustomerId deviceId vmn status statusReason mobileNumber expiresAt createdAt updatedAt
  history { status reason at } deviceBinding { __typename id fingerprint status mobileNumber merchantCustomerId }`;
const BIND = `__typename id merchantCustomerId deviceId ssid manufacturer model os osVersion packageName mobileNumber fingerprint status boundAt deregisteredAt`;
const CONSENT = `__typename spId spTransactionID uaePassTransactionID merchantCustomerId purpose status expiresAt createdAt decidedAt`;
const ERRORS = `errors { code message field }`;

/** The operations under test: root field, document, and whether it is a mutation. */
export const OPERATIONS = {
  registration: { query: `query ($id: ID!) { registration(id: $id) { ${REG} } }` },
  registrationStatus: {
    query: `query ($deviceId: String!, $ssid: String!) { registrationStatus(deviceId: $deviceId, ssid: $ssid) { ${REG} } }`,
  },
  deviceBinding: { query: `query ($id: ID!) { deviceBinding(id: $id) { ${BIND} } }` },
  customer: {
    query: `query ($merchantCustomerId: ID!, $status: DeviceBindingStatus, $last: Int) {
      customer(merchantCustomerId: $merchantCustomerId) { __typename merchantCustomerId
        devices(status: $status) { ${BIND} } registrations(last: $last) { ${REG} } } }`,
  },
  consentTransaction: {
    query: `query ($spId: String!, $spTransactionID: String!) {
      consentTransaction(spId: $spId, spTransactionID: $spTransactionID) { ${CONSENT} } }`,
  },
  _entities: {
    // Aliased per type: the entities' same-named fields have different types (status, ids).
    query: `query ($representations: [_Any!]!) { _entities(representations: $representations) {
      __typename
      ... on Registration { id refNumber rCustomer: merchantCustomerId rStatus: status rMobile: mobileNumber
        deviceBinding { __typename id fingerprint } }
      ... on DeviceBinding { id fingerprint bCustomer: merchantCustomerId bStatus: status bMobile: mobileNumber }
      ... on Customer { merchantCustomerId devices { __typename id fingerprint } registrations { __typename id } }
      ... on ConsentTransaction { spId spTransactionID uaePassTransactionID cCustomer: merchantCustomerId cStatus: status } } }`,
  },
  requestSmsToken: {
    query: `mutation ($input: RequestSmsTokenInput!) { requestSmsToken(input: $input) { smsContent registration { ${REG} } ${ERRORS} } }`,
    mutation: true,
  },
  bindDevice: {
    query: `mutation ($input: BindDeviceInput!) { bindDevice(input: $input) { registration { ${REG} } deviceBinding { ${BIND} } ${ERRORS} } }`,
    mutation: true,
  },
  declineBinding: {
    query: `mutation ($input: DeclineBindingInput!) { declineBinding(input: $input) { registration { ${REG} } ${ERRORS} } }`,
    mutation: true,
  },
  deregisterDevice: {
    query: `mutation ($input: DeregisterDeviceInput!) { deregisterDevice(input: $input) { deviceBinding { ${BIND} } ${ERRORS} } }`,
    mutation: true,
  },
  requestConsent: {
    query: `mutation ($input: RequestConsentInput!) { requestConsent(input: $input) { consentTransaction { ${CONSENT} } ${ERRORS} } }`,
    mutation: true,
  },
  decideConsent: {
    query: `mutation ($input: DecideConsentInput!) { decideConsent(input: $input) { consentTransaction { ${CONSENT} } ${ERRORS} } }`,
    mutation: true,
  },
} as const satisfies Record<string, { query: string; mutation?: boolean }>;

export type Operation = keyof typeof OPERATIONS;

/** Who calls: the attacking tenant, nobody, a wrong token, or a key and a token of two tenants. */
export type Auth = 'A' | 'none' | 'wrong' | 'mixed';

export interface GqlCase {
  op: Operation;
  variables: unknown;
  auth: Auth;
}

/** Top-level error codes a refusal may carry; anything else (INTERNAL_SERVER_ERROR) is a fault. */
export const REFUSAL_CODES = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
]);
export const USER_ERROR_CODES = new Set<string>(Object.values(UserErrorCode));
export const ENTITY_TYPES = new Set([
  'Registration',
  'DeviceBinding',
  'Customer',
  'ConsentTransaction',
]);
