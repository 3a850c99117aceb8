import { type FastifyRequest } from 'fastify';
import { invalidInput } from './failure';
import { objectBody } from './raw-body';

export type JsonObject = Record<string, unknown>;

/** One header's value; a header sent twice is ambiguous and counts as absent. */
export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

export function requireObjectBody(request: FastifyRequest): JsonObject {
  const body = objectBody(request);
  if (!body) throw invalidInput('The body must be a JSON object');
  return body;
}

/**
 * A string field, or undefined when absent or null. Presence is the service's rule (it names the
 * missing field); a value of the wrong JSON type is refused here, where the type is still known.
 */
export function optionalText(source: JsonObject, name: string, label = name): string | undefined {
  const value = source[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidInput(`${label} must be a string`, label);
  return value;
}

export function optionalObject(
  source: JsonObject,
  name: string,
  label = name,
): JsonObject | undefined {
  const value = source[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidInput(`${label} must be a JSON object`, label);
  }
  return value as JsonObject;
}

/** Legacy flags arrive as "true"/"false" strings, sometimes as JSON booleans. */
export function optionalFlag(source: JsonObject, name: string, label = name): boolean | undefined {
  const value = source[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalidInput(`${label} must be "true" or "false"`, label);
}

/** The request's udfParameters for echoing in an error body, whatever else is wrong with it. */
export function udfParametersOf(request: FastifyRequest): string | undefined {
  const value = objectBody(request)?.udfParameters;
  return typeof value === 'string' ? value : undefined;
}
