import { type GraphqlContext } from '../context';
import { type ConsentTransaction, toConsentTransaction } from './consent-transaction.type';

/** `_entities` for ConsentTransaction: null for transactions outside the caller's tenant. */
export async function resolveConsentTransactionReference(
  reference: Pick<ConsentTransaction, 'spId' | 'spTransactionID'>,
  context: GraphqlContext,
): Promise<ConsentTransaction | null> {
  const row = await context.loaders.consentTransaction.load({
    spId: String(reference.spId),
    spTransactionID: String(reference.spTransactionID),
  });
  return row && toConsentTransaction(row);
}
