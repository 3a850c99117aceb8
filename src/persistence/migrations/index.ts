import { Migration20261122000000Initial } from './Migration20261122000000Initial';

/** Every migration, oldest first. Listed here so the same list runs from ts and from dist. */
export const MIGRATIONS = [
  { name: 'Migration20261122000000Initial', class: Migration20261122000000Initial },
];
