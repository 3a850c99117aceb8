import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType('Customer', {
  ...PLAIN_FIELDS,
  description:
    'A customer of the calling merchant; other subgraphs own the profile, this one adds devices.',
})
@Directive('@key(fields: "merchantCustomerId")')
export class Customer {
  @Field(() => ID)
  merchantCustomerId!: string;

  // devices and registrations are field resolvers (customer.resolver.ts).
}
