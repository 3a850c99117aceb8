/** One seed for every property: a failure seen once is seen on every run. */
export const SEED = 42;

/** Requests each property sends at once. */
export const IN_FLIGHT = 8;

/** JSON with long strings cut to their start and length, so a report line stays readable. */
export function preview(value: unknown, max = 400): string {
  let text: string;
  try {
    text =
      JSON.stringify(value, (_key, v: unknown) =>
        typeof v === 'string' && v.length > 80 ? `${v.slice(0, 40)}…[${v.length} chars]` : v,
      ) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…[${text.length} chars]` : text;
}

/**
 * Every violated expectation of a run, by kind, with the first example of each. A property
 * records instead of throwing, so one run reports every distinct failure and sends every input.
 */
export class Violations {
  private readonly byKind = new Map<string, { count: number; example: string }>();

  add(kind: string, example: string): void {
    const seen = this.byKind.get(kind);
    if (seen) seen.count++;
    else this.byKind.set(kind, { count: 1, example });
  }

  /** `{kind: "N× e.g. …"}`; `{}` when nothing was violated. */
  report(): Record<string, string> {
    return Object.fromEntries(
      [...this.byKind].map(([kind, { count, example }]) => [kind, `${count}× e.g. ${example}`]),
    );
  }
}

/** Counts the inputs a suite sends, per operation, so the suite can assert its volume. */
export class InputCounter {
  readonly perOperation: Record<string, number> = {};
  total = 0;

  add(operation: string, n = 1): void {
    this.perOperation[operation] = (this.perOperation[operation] ?? 0) + n;
    this.total += n;
  }
}
