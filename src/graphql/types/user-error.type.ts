import { Field, ObjectType } from 'type-graphql';
import { type UserError as DomainUserError } from '../../domain/errors';
import { UserErrorCode } from '../enums';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType('UserError', PLAIN_FIELDS)
export class UserError {
  @Field(() => UserErrorCode)
  code!: UserErrorCode;

  @Field(() => String)
  message!: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Input field path, e.g. ["input", "mobileNumber"].',
  })
  field?: string[] | null;
}

/** Services name the input field alone; GraphQL callers sent it inside the `input` argument. */
export function toUserErrors(errors: readonly DomainUserError[]): UserError[] {
  return errors.map((error) => ({
    code: error.code,
    message: error.message,
    field: error.field ? ['input', ...error.field] : null,
  }));
}
