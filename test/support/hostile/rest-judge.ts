import { createHash } from 'node:crypto';
import { ConsentTransaction } from '../../../src/persistence/entities';
import { type TestServer } from '../server';
import { type Answer, leaksAny, serverFault } from './invariants';
import { InputCounter, preview, Violations } from './report';
import { type RestRequests } from './rest-requests';
import { ERROR_SHAPE, FAMILY, type RestCase, SUCCESS_SHAPE } from './rest-routes';
import { type Effects, unexplainedRowChanges } from './rows';
import { world } from './world';

function example(c: RestCase, answer: Answer): string {
  const body = c.value !== undefined ? preview(c.value, 400) : preview(c.raw, 300);
  return `${c.route} auth=${c.auth} type=${c.contentType} ref=${preview(c.customerReference, 60)} body=${body} -> ${answer.status} ${preview(answer.body ?? answer.text, 400)}`;
}

const field = (c: RestCase, name: string): unknown =>
  c.value !== null && typeof c.value === 'object'
    ? (c.value as Record<string, unknown>)[name]
    : undefined;

/**
 * Sends generated requests and judges each answer: a 4xx in the family's own error shape or one
 * of the route's documented 2xx answers; never a 5xx, never another tenant's data; a replayed
 * signed request is refused. Keeps the inputs sent and how far each route reached.
 */
export class RestJudge {
  /** Each test starts its own record, so a failure names only its own route's violations. */
  violations = new Violations();
  readonly counter = new InputCounter();
  /** Per route: documented 2xx answers and 4xx refusals seen. */
  readonly reach: Record<string, { answered: number; refused: number }> = {};
  /** B's strings, and its merchant channel, which the legacy answers could echo. */
  private readonly bPrivate = [...world.bPrivate(), world.b.tenant.merchantChannelId];

  constructor(
    private readonly server: TestServer,
    private readonly requests: RestRequests,
  ) {}

  private tally(route: string, kind: 'answered' | 'refused') {
    this.reach[route] ??= { answered: 0, refused: 0 };
    this.reach[route][kind]++;
  }

  /** Judges one answer; records what an accepted request touched so its rows are accounted for. */
  async judge(c: RestCase, answer: Answer, effects: Effects): Promise<void> {
    const fault = (kind: string) => this.violations.add(`${c.route}: ${kind}`, example(c, answer));
    const broken = serverFault(answer);
    if (broken) return fault(broken);
    const body = answer.body;
    if (leaksAny(answer, c.raw, this.bPrivate)) fault("another tenant's data in the answer");

    if (answer.status >= 400) {
      if (!ERROR_SHAPE[FAMILY[c.route]](body))
        fault(`HTTP ${answer.status} outside the family's error shape`);
      this.tally(c.route, 'refused');
      return;
    }
    if (answer.status !== 200) return fault(`HTTP ${answer.status}`);
    if (!SUCCESS_SHAPE[c.route](body)) return fault('2xx outside the documented answers');
    if (c.auth !== 'valid') return fault('accepted without valid credentials');
    this.tally(c.route, 'answered');

    switch (c.route) {
      case 'enstagePolling':
        if (
          ![...world.a.refNumbers, ...world.aAttempts.map((a) => a.deviceId)].some((k) =>
            c.raw.includes(k),
          )
        )
          fault('polling found a registration the caller does not own');
        break;
      case 'enstageDecline':
        if (body.payload.merchantChannelId !== world.a.tenant.merchantChannelId)
          fault('declined for another tenant');
        effects.smsContents.add(String(field(c, 'smsContent')));
        break;
      case 'razorpayVerification':
        effects.smsContents.add(body.sms.content);
        effects.merchantCustomerIds.add(String(c.customerReference));
        break;
      case 'razorpayBind': {
        const sms = field(c, 'sms') as Record<string, unknown> | undefined;
        effects.smsContents.add(String(sms?.content));
        if (body.status === 'verified') fault('bound a registration that could not be bound');
        break;
      }
      case 'juspayGetSmsToken':
        effects.smsContents.add(body.payload.serviceProviders[0].smsContent);
        effects.merchantCustomerIds.add(String(field(c, 'merchantCustomerId')));
        break;
      case 'juspayBindDevice':
        effects.smsContents.add(String(field(c, 'smsContent')));
        effects.idempotencyKeys.add(
          `juspay-bind:${createHash('sha256').update(c.raw).digest('hex')}`,
        );
        if (
          body.status === 'SUCCESS' &&
          body.payload.merchantChannelId !== world.a.tenant.merchantChannelId
        )
          fault('bound for another tenant');
        break;
      case 'uaePassSend':
      case 'uaePassStatus': {
        const owned = await this.server.app.orm.em.fork().count(ConsentTransaction, {
          tenantId: world.a.tenantId,
          spTransactionId: body.data.spTransactionID,
        });
        if (owned !== 1) fault("another tenant's consent transaction in the answer");
        if (c.route === 'uaePassSend') {
          effects.consentKeys.push({
            spId: world.a.tenant.spId,
            spTransactionID: body.data.spTransactionID,
          });
          effects.merchantCustomerIds.add(String(field(c, 'identifier')));
          if (body.data.status !== 'INIT_FAILED')
            fault('consent triggered for a customer the caller has no active binding for');
        }
        break;
      }
      case 'vmnInboundSms':
        effects.messageIds.add(String(field(c, 'messageId')));
        break;
    }
  }

  /** A request that could not be made or answered at all (connection reset, server gone). */
  async runCase(c: RestCase, effects: Effects): Promise<void> {
    try {
      await this.sendAndJudge(c, effects);
    } catch (error) {
      this.violations.add(
        `${c.route}: request failed`,
        `${String(error)} for ${preview(c.raw, 300)}`,
      );
    }
  }

  async sendAndJudge(c: RestCase, effects: Effects): Promise<void> {
    const headers = this.requests.authHeaders(c);
    const first = await this.requests.post(c.route, headers, c);
    this.counter.add(c.route);
    await this.judge(c, first, effects);
    if (!c.replay) return;
    const again = await this.requests.post(c.route, headers, c);
    this.counter.add(`${c.route} (replay)`);
    const replayed = { ...c, raw: c.raw };
    if (again.status >= 500)
      this.violations.add(`${c.route}: HTTP ${again.status} on a replay`, example(replayed, again));
    else if (again.status < 400)
      this.violations.add(
        `${c.route}: a replayed signed request was accepted`,
        example(replayed, again),
      );
    else if (first.status < 400 && again.status !== 401)
      this.violations.add(`${c.route}: a replay answered other than 401`, example(replayed, again));
    else if (
      again.body &&
      typeof again.body === 'object' &&
      !ERROR_SHAPE[FAMILY[c.route]](again.body)
    )
      this.violations.add(
        `${c.route}: replay refused outside the family's error shape`,
        example(replayed, again),
      );
  }

  /** Sends a batch at once, judges every answer, and checks that only accepted input wrote rows. */
  async runBatch(cases: RestCase[]): Promise<void> {
    const changes = await unexplainedRowChanges(this.server.app.orm, (effects) =>
      Promise.all(cases.map((c) => this.runCase(c, effects))),
    );
    if (Object.keys(changes).length > 0) {
      this.violations.add(
        `${cases[0].route}: rows changed by rejected input`,
        preview({ changes, bodies: cases.map((c) => `${c.auth} ${preview(c.raw, 200)}`) }, 1_500),
      );
    }
  }
}
