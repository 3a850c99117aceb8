import { type GraphQLFormattedError, print, type TypedQueryDocumentNode } from 'graphql';
import { type TenantCredentials } from '../../src/services/tenant-service';

export interface TypedResponse<Result> {
  status: number;
  data?: Result | null;
  errors?: GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

/** The headers a server-to-server caller authenticates with, at Bindery or at the gateway. */
export function credentialsOf(
  tenant: Pick<TenantCredentials, 'apiKey' | 'apiToken'>,
): Record<string, string> {
  return { 'x-api-key': tenant.apiKey, 'x-api-token': tenant.apiToken };
}

/** POSTs a generated typed document to a GraphQL endpoint; the answer is typed by the document. */
export async function send<Result, Variables>(
  endpoint: string,
  document: TypedQueryDocumentNode<Result, Variables>,
  variables: Variables,
  headers: Record<string, string> = {},
): Promise<TypedResponse<Result>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const text = await response.text();
  try {
    return {
      status: response.status,
      ...(JSON.parse(text) as Omit<TypedResponse<Result>, 'status'>),
    };
  } catch {
    // A gate in front of GraphQL may answer without a GraphQL body; keep it for the assertion.
    return { status: response.status, errors: [{ message: text }] };
  }
}
