import {
  Customer,
  ConsentTransaction,
  DeviceBinding,
  Registration,
} from '../../../src/persistence/entities';
import { type Orm } from '../../../src/persistence/orm';
import { type TestServer } from '../server';
import {
  type Auth,
  ENTITY_TYPES,
  type GqlCase,
  type Operation,
  OPERATIONS,
  REFUSAL_CODES,
  USER_ERROR_CODES,
} from './graphql-operations';
import { type Answer, leaksAny, readAnswer, serverFault } from './invariants';
import { InputCounter, preview, Violations } from './report';
import { Effects, unexplainedRowChanges } from './rows';
import { world } from './world';

function headersFor(auth: Auth): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth === 'A')
    Object.assign(headers, {
      'x-api-key': world.a.tenant.apiKey,
      'x-api-token': world.a.tenant.apiToken,
    });
  if (auth === 'wrong')
    Object.assign(headers, {
      'x-api-key': world.a.tenant.apiKey,
      'x-api-token': `${world.a.tenant.apiToken}x`,
    });
  if (auth === 'mixed')
    Object.assign(headers, {
      'x-api-key': world.a.tenant.apiKey,
      'x-api-token': world.b.tenant.apiToken,
    });
  return headers;
}

/** Sends one operation as `auth` to the server under test. */
export async function sendOperation(
  url: string,
  op: Operation,
  variables: unknown,
  auth: Auth,
): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: headersFor(auth),
    body: JSON.stringify({ query: OPERATIONS[op].query, variables }),
  });
  return readAnswer(response);
}

/** Every Registration, DeviceBinding, Customer or ConsentTransaction object in an answer. */
function entitiesIn(value: unknown, found: Record<string, any>[] = []): Record<string, any>[] {
  if (Array.isArray(value)) value.forEach((v) => entitiesIn(v, found));
  else if (value !== null && typeof value === 'object') {
    const object = value as Record<string, any>;
    if (ENTITY_TYPES.has(object.__typename)) found.push(object);
    Object.values(object).forEach((v) => entitiesIn(v, found));
  }
  return found;
}

/** Whether the database says tenant A owns the entity an answer shows. */
async function ownedByA(orm: Orm, entity: Record<string, any>): Promise<boolean> {
  const em = orm.em.fork();
  switch (entity.__typename) {
    case 'Registration':
      return (await em.count(Registration, { id: entity.id, tenantId: world.a.tenantId })) === 1;
    case 'DeviceBinding':
      return (await em.count(DeviceBinding, { id: entity.id, tenantId: world.a.tenantId })) === 1;
    case 'Customer':
      return (
        (await em.count(Customer, {
          merchantCustomerId: entity.merchantCustomerId,
          tenantId: world.a.tenantId,
        })) === 1
      );
    default:
      return (
        (await em.count(ConsentTransaction, {
          spId: entity.spId,
          spTransactionId: entity.spTransactionID,
          tenantId: world.a.tenantId,
        })) === 1
      );
  }
}

/** A message's kind: database errors by their SQL, others by their words without names. */
function errorClass(message: unknown): string {
  const text = String(message);
  if (/^(select|insert|update|delete) /i.test(text)) return 'database error, SQL in the message';
  if (/tried to load an entity for type|is not a possible type for "_Entity"/.test(text))
    return 'a representation whose __typename is no entity type';
  return text.replace(/"[^"]*"/g, '"…"').slice(0, 80);
}

function example(c: GqlCase, answer: Answer): string {
  return `${c.op} as ${c.auth} with ${preview(c.variables, 300)} -> ${answer.status} ${preview(answer.body ?? answer.text, 500)}`;
}

/**
 * Sends generated cases and judges each answer: a 4xx with GraphQL errors, a 200 whose errors are
 * UserErrors (mutations) or whose data is null (queries), or an answer a legitimate request may
 * get; never a 5xx or an internal error, never another tenant's data. Keeps what the judging
 * needs across batches: the inputs sent, how far each operation reached, the transactions used.
 */
export class GraphqlJudge {
  /** Each test starts its own record, so a failure names only its own operation's violations. */
  violations = new Violations();
  readonly counter = new InputCounter();
  /** Per operation: answers with data, refusals by the service's rules, refusals of the input. */
  readonly reach: Record<
    string,
    { answered: number; refusedByRules: number; refusedAsInvalid: number }
  > = {};
  /** spTransactionIDs tenant A has used: a DUPLICATE_TRANSACTION for any other is a leak. */
  readonly usedTransactions = new Set<string>();
  private readonly bPrivate = world.bPrivate();

  constructor(private readonly server: TestServer) {
    this.usedTransactions.add(world.a.consentTx);
  }

  private tally(op: string, kind: 'answered' | 'refusedByRules' | 'refusedAsInvalid') {
    this.reach[op] ??= { answered: 0, refusedByRules: 0, refusedAsInvalid: 0 };
    this.reach[op][kind]++;
  }

  /** Judges one answer; records what an accepted request touched so its rows are accounted for. */
  async judge(c: GqlCase, answer: Answer, effects: Effects): Promise<void> {
    const fault = (kind: string) => this.violations.add(`${c.op}: ${kind}`, example(c, answer));
    const requestText = JSON.stringify(c.variables) ?? '';
    const broken = serverFault(answer);
    if (broken) return fault(broken);
    const body = answer.body;
    if (leaksAny(answer, requestText, this.bPrivate)) fault("another tenant's data in the answer");

    if (answer.status >= 400) {
      const graphqlErrors = Array.isArray(body.errors) && body.errors.length > 0;
      // Fastify refuses some bodies before GraphQL sees them (over 256 KiB, or a `__proto__` key,
      // its prototype-poisoning guard), in its own `{statusCode, error, message}` shape.
      const refusedBeforeGraphql =
        (answer.status === 413 || answer.status === 400) &&
        typeof body.error === 'string' &&
        typeof body.message === 'string';
      if (!graphqlErrors && !refusedBeforeGraphql) fault(`HTTP ${answer.status} without errors`);
      this.tally(c.op, 'refusedAsInvalid');
      return;
    }
    if (answer.status !== 200) return fault(`HTTP ${answer.status}`);

    const op = OPERATIONS[c.op];
    const field = c.op;
    const data = body.data?.[field];
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      for (const error of body.errors as any[]) {
        const code = error?.extensions?.code;
        if (!REFUSAL_CODES.has(code)) {
          fault(`internal error ${code ?? '(no code)'} in a 200: ${errorClass(error?.message)}`);
          break;
        }
      }
      if (c.op !== '_entities' && data !== null && data !== undefined)
        fault('data beside a top-level error');
      this.tally(c.op, 'refusedAsInvalid');
      return;
    }
    if (c.auth !== 'A') return fault('answered without valid credentials');

    for (const entity of entitiesIn(data)) {
      if (!(await ownedByA(this.server.app.orm, entity)))
        fault(`${entity.__typename} of another tenant in the answer`);
    }
    if (!('mutation' in op)) {
      const found = Array.isArray(data) ? data.some((d) => d !== null) : data !== null;
      this.tally(c.op, found ? 'answered' : 'refusedByRules');
      return;
    }

    const payload = data as Record<string, any> | null | undefined;
    if (!payload || !Array.isArray(payload.errors)) return fault('mutation payload without errors');
    const input = (c.variables as { input?: Record<string, any> }).input ?? {};
    if (payload.errors.length > 0) {
      for (const error of payload.errors) {
        const wellFormed =
          USER_ERROR_CODES.has(error?.code) &&
          typeof error.message === 'string' &&
          (error.field === null || Array.isArray(error.field));
        if (!wellFormed) fault('malformed UserError');
      }
      const others = Object.entries(payload).filter(([k, v]) => k !== 'errors' && v !== null);
      if (others.length > 0) fault('refusal that also answers data');
      if (
        c.op === 'requestConsent' &&
        payload.errors.some((e: any) => e.code === 'DUPLICATE_TRANSACTION') &&
        !this.usedTransactions.has(input.spTransactionID)
      ) {
        fault('DUPLICATE_TRANSACTION for an spTransactionID only another tenant used');
      }
      const invalid = payload.errors.every((e: any) => e?.code === 'INVALID_INPUT');
      this.tally(c.op, invalid ? 'refusedAsInvalid' : 'refusedByRules');
      return;
    }

    // Accepted: what it may write is accounted for, and only legitimate successes are expected.
    this.tally(c.op, 'answered');
    switch (c.op) {
      case 'requestSmsToken':
        effects.registrationIds.add(payload.registration.id);
        effects.merchantCustomerIds.add(input.merchantCustomerId);
        break;
      case 'requestConsent':
        effects.consentKeys.push({
          spId: world.a.tenant.spId,
          spTransactionID: input.spTransactionID,
        });
        effects.merchantCustomerIds.add(input.merchantCustomerId);
        this.usedTransactions.add(input.spTransactionID);
        if (payload.consentTransaction.status !== 'INIT_FAILED')
          fault('consent triggered for a customer the caller has no active binding for');
        break;
      case 'bindDevice':
        effects.smsContents.add(String(input.smsContent));
        if (typeof input.idempotencyKey === 'string')
          effects.idempotencyKeys.add(input.idempotencyKey);
        if (payload.registration.id !== world.a.bound.registrationId)
          fault('bound a registration that was not bound already');
        break;
      case 'deregisterDevice':
        if (payload.deviceBinding.id !== world.a.bindingId)
          fault('deregistered an unexpected binding');
        break;
      default:
        effects.smsContents.add(String(input?.smsContent));
        fault('accepted an input that no state allows');
    }
  }

  /** Sends a batch at once, judges every answer, and checks that only accepted input wrote rows. */
  async runBatch(cases: GqlCase[]): Promise<void> {
    const changes = await unexplainedRowChanges(this.server.app.orm, (effects) =>
      Promise.all(
        cases.map(async (c) => {
          try {
            const answer = await sendOperation(this.server.url, c.op, c.variables, c.auth);
            this.counter.add(c.op);
            await this.judge(c, answer, effects);
          } catch (error) {
            // Not answered at all (connection reset, server gone): as bad as a 5xx.
            this.violations.add(
              `${c.op}: request failed`,
              `${String(error)} for ${preview(c.variables)}`,
            );
          }
        }),
      ),
    );
    if (Object.keys(changes).length > 0) {
      this.violations.add(
        `${cases[0].op}: rows changed by rejected input`,
        preview({ changes, variables: cases.map((c) => c.variables) }, 1_500),
      );
    }
  }
}
