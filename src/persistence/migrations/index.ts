import { Migration20261122000000Initial } from './Migration20261122000000Initial';
import { Migration20261122010000CallbackDelivery } from './Migration20261122010000CallbackDelivery';

/** Every migration, oldest first. Listed here so the same list runs from ts and from dist. */
export const MIGRATIONS = [
  { name: 'Migration20261122000000Initial', class: Migration20261122000000Initial },
  {
    name: 'Migration20261122010000CallbackDelivery',
    class: Migration20261122010000CallbackDelivery,
  },
];
