import { ArgsType, Field } from 'type-graphql';

// Argument groups as classes: type-graphql then prints the arguments in the contract's order,
// which separate @Arg parameters do not guarantee.

@ArgsType()
export class DeviceLookupArgs {
  @Field(() => String)
  deviceId!: string;

  @Field(() => String)
  ssid!: string;
}

@ArgsType()
export class ConsentKeyArgs {
  @Field(() => String)
  spId!: string;

  @Field(() => String)
  spTransactionID!: string;
}
