import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

@Entity({ tableName: 'customer' })
@Unique({ properties: ['tenantId', 'merchantCustomerId'] })
export class Customer {
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  @Property({ type: 'string', length: 256 })
  merchantCustomerId!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
