/** The operations the e2e suites send, written as a caller of the contract would. */

const REGISTRATION_FIELDS = `id refNumber merchantCustomerId deviceId vmn status statusReason mobileNumber expiresAt createdAt updatedAt
  history { status reason at }
  deviceBinding { id fingerprint status mobileNumber }`;
const BINDING_FIELDS = `id merchantCustomerId deviceId ssid manufacturer model os osVersion packageName mobileNumber fingerprint status boundAt deregisteredAt`;
const CONSENT_FIELDS = `spId spTransactionID uaePassTransactionID merchantCustomerId purpose status expiresAt createdAt decidedAt`;
const ERRORS = `errors { code message field }`;

export const REQUEST_SMS_TOKEN = `mutation ($input: RequestSmsTokenInput!) {
  requestSmsToken(input: $input) { smsContent registration { ${REGISTRATION_FIELDS} } ${ERRORS} } }`;

export const BIND_DEVICE = `mutation ($input: BindDeviceInput!) {
  bindDevice(input: $input) { registration { ${REGISTRATION_FIELDS} } deviceBinding { ${BINDING_FIELDS} } ${ERRORS} } }`;

export const DECLINE_BINDING = `mutation ($input: DeclineBindingInput!) {
  declineBinding(input: $input) { registration { id status statusReason } ${ERRORS} } }`;

export const DEREGISTER_DEVICE = `mutation ($input: DeregisterDeviceInput!) {
  deregisterDevice(input: $input) { deviceBinding { ${BINDING_FIELDS} } ${ERRORS} } }`;

export const REQUEST_CONSENT = `mutation ($input: RequestConsentInput!) {
  requestConsent(input: $input) { consentTransaction { ${CONSENT_FIELDS} } ${ERRORS} } }`;

export const DECIDE_CONSENT = `mutation ($input: DecideConsentInput!) {
  decideConsent(input: $input) { consentTransaction { ${CONSENT_FIELDS} } ${ERRORS} } }`;

export const REGISTRATION = `query ($id: ID!) { registration(id: $id) { ${REGISTRATION_FIELDS} } }`;

export const REGISTRATION_STATUS = `query ($deviceId: String!, $ssid: String!) {
  registrationStatus(deviceId: $deviceId, ssid: $ssid) { id status } }`;

export const DEVICE_BINDING = `query ($id: ID!) { deviceBinding(id: $id) { ${BINDING_FIELDS} } }`;

export const CUSTOMER = `query ($id: ID!) { customer(merchantCustomerId: $id) {
  merchantCustomerId devices { id fingerprint status } registrations(last: 10) { id status } } }`;

export const CONSENT = `query ($spId: String!, $tx: String!) {
  consentTransaction(spId: $spId, spTransactionID: $tx) { ${CONSENT_FIELDS} } }`;
