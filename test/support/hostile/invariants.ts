import fc from 'fast-check';
import { ConsentTransaction, DeviceBinding, Registration } from '../../../src/persistence/entities';
import { type Orm } from '../../../src/persistence/orm';
import { IN_FLIGHT, type InputCounter, preview, type Violations } from './report';
import { type HostileWorld } from './world';

/** An answer as received: status, raw text, and the body when the text is JSON. */
export interface Answer {
  status: number;
  text: string;
  body: any;
}

export async function readAnswer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // Judged by serverFault: every answer must be JSON.
  }
  return { status: response.status, text, body };
}

/** What makes any answer a fault whatever was asked: a 5xx, or a body that is not JSON. */
export function serverFault(answer: Answer): string | undefined {
  if (answer.status >= 500) return `HTTP ${answer.status}`;
  const body = answer.body;
  if (body === undefined || body === null || typeof body !== 'object') return 'answer is not JSON';
  return undefined;
}

/** Whether the answer shows one of another tenant's strings that the request did not send. */
export const leaksAny = (answer: Answer, requestText: string, secrets: string[]) =>
  secrets.some((secret) => answer.text.includes(secret) && !requestText.includes(secret));

/** An answer with the probed keys replaced, to compare a foreign key's answer with a random one's. */
export const normalized = (text: string, keys: string[]) =>
  keys.reduce((t, key) => t.split(key).join('<KEY>'), text);

/** A lookup that takes a key: B's keys to probe with, random ones of the same shape to compare. */
export interface KeyProbe {
  victim: () => string[];
  random: fc.Arbitrary<string>;
}

/**
 * The property that another tenant's keys answer exactly like random keys: each run sends half
 * of IN_FLIGHT probes, each once with a victim key and once with a random one, and records a
 * violation where the two answers differ once the keys are masked.
 */
export async function foreignKeysAnswerLikeRandomKeys<P extends KeyProbe>(options: {
  probes: P[];
  /** Names the operation or route a probe is about, for counts and violations. */
  subject: (probe: P) => string;
  ask: (probe: P, key: string) => Promise<Answer>;
  /** What a probe sends for a key, as shown in a violation. */
  request: (probe: P, key: string) => unknown;
  totalProbes: number;
  counter: InputCounter;
  violations: Violations;
}): Promise<void> {
  const { probes, subject, ask, request, counter, violations } = options;
  const probe = fc
    .record({ index: fc.nat({ max: probes.length - 1 }), pick: fc.nat() })
    .chain(({ index, pick }) =>
      probes[index].random.map((random) => ({ probe: probes[index], pick, random })),
    );
  await fc.assert(
    fc.asyncProperty(
      fc.array(probe, { minLength: IN_FLIGHT / 2, maxLength: IN_FLIGHT / 2 }),
      async (drawn) => {
        await Promise.all(
          drawn.map(async ({ probe: p, pick, random }) => {
            const victims = p.victim();
            const victim = victims[pick % victims.length];
            const [forVictim, forRandom] = await Promise.all([ask(p, victim), ask(p, random)]);
            counter.add(`${subject(p)} (tenant probe)`, 2);
            const keys = [victim, random];
            const seen = `${forVictim.status} ${normalized(forVictim.text, keys)}`;
            const expected = `${forRandom.status} ${normalized(forRandom.text, keys)}`;
            if (seen !== expected) {
              violations.add(
                `${subject(p)}: another tenant's key answers unlike a random key`,
                `${preview(request(p, victim))} -> ${preview(forVictim.text)}; random key -> ${preview(forRandom.text)}`,
              );
            }
          }),
        );
      },
    ),
    { numRuns: options.totalProbes / (IN_FLIGHT / 2) },
  );
}

/** The statuses of B's registrations, binding and consent, read back from the database. */
export async function victimState(orm: Orm, world: HostileWorld) {
  const em = orm.em.fork();
  return {
    registrations: await Promise.all(
      world.bAttempts.map(
        async (a) => (await em.findOneOrFail(Registration, { id: a.registrationId })).status,
      ),
    ),
    binding: (await em.findOneOrFail(DeviceBinding, { id: world.b.bindingId })).status,
    consent: (
      await em.findOneOrFail(ConsentTransaction, {
        spId: world.b.tenant.spId,
        spTransactionId: world.b.consentTx,
      })
    ).status,
  };
}
