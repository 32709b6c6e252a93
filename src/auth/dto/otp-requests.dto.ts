import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsTemplateOptions } from '../../delivery/templates/template-options.js';

export class SignUpUserDto {
  /** @example "Ada Lovelace" */
  @IsOptional() @MaxLength(200) @IsString() name?: string;
  /** @example "Ada" */
  @IsOptional() @MaxLength(200) @IsString() givenName?: string;
  @IsOptional() @MaxLength(200) @IsString() middleName?: string;
  /** @example "Lovelace" */
  @IsOptional() @MaxLength(200) @IsString() familyName?: string;
  /** Where e-mail codes go; defaults to the login ID. @example "ada@example.com" */
  @IsOptional() @MaxLength(320) @IsString() email?: string;
  /** E.164. @example "+14155550100" */
  @IsOptional() @MaxLength(32) @IsString() phone?: string;
}

export class LoginOptionsDto {
  /** Step-up: needs the refresh JWT in the bearer. */
  @IsOptional() @IsBoolean() stepup?: boolean;
  /** MFA: needs the refresh JWT in the bearer. */
  @IsOptional() @IsBoolean() mfa?: boolean;
  @IsOptional() @IsBoolean() revokeOtherSessions?: boolean;
  /** Extra claims, placed under `nsec` in the JWTs. @example {"plan": "pro"} */
  @IsOptional() @IsObject() customClaims?: Record<string, unknown>;
  @IsOptional() @MaxLength(100) @IsString() templateId?: string;
  /** Values available to the message template: up to 20 keys, each value one line of at most 100 characters. @example {"name": "Ada"} */
  @IsOptional() @IsTemplateOptions() templateOptions?: Record<string, string>;
  @IsOptional() @MaxLength(100) @IsString() tenantId?: string;
  /** Language of the message (BCP 47). @example "en" */
  @IsOptional() @MaxLength(35) @IsString() locale?: string;
}

class LoginIdDto {
  /** The user's login ID: an e-mail address or an E.164 phone number, or any ID (then `user.email`/`user.phone` say where codes go). @example "ada@example.com" */
  @MaxLength(320) @IsNotEmpty() @IsString() @IsDefined() loginId: string;
}

export class SignUpRequestDto extends LoginIdDto {
  @IsOptional() @IsObject() @ValidateNested() @Type(() => SignUpUserDto) user?: SignUpUserDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => LoginOptionsDto) loginOptions?: LoginOptionsDto;
  @IsOptional() @MaxLength(100) @IsString() providerId?: string;
}

export class SignInRequestDto extends LoginIdDto {
  @IsOptional() @IsObject() @ValidateNested() @Type(() => LoginOptionsDto) loginOptions?: LoginOptionsDto;
  @IsOptional() @MaxLength(100) @IsString() providerId?: string;
}

export class VerifyRequestDto extends LoginIdDto {
  /** The code the user received. @example "123456" */
  @Matches(/^\d{4,10}$/, { message: 'code must be 4 to 10 digits' }) @IsString() @IsDefined() code: string;
}

export class MaskedEmailResponseDto {
  /** @example "a***@example.com" */
  maskedEmail: string;
}

export class MaskedPhoneResponseDto {
  /** @example "+*******0100" */
  maskedPhone: string;
}

class UpdateOptionsDto extends LoginIdDto {
  /** Keep the old login ID and add the new address as another one. */
  @IsOptional() @IsBoolean() addToLoginIDs?: boolean;
  /**
   * When the new address is already another user's login ID: merge this user into that existing
   * user instead of failing with E062125 (the existing user is kept; see the README).
   */
  @IsOptional() @IsBoolean() onMergeUseExisting?: boolean;
  @IsOptional() @MaxLength(100) @IsString() templateId?: string;
  /** Values available to the message template: up to 20 keys, each value one line of at most 100 characters. @example {"name": "Ada"} */
  @IsOptional() @IsTemplateOptions() templateOptions?: Record<string, string>;
  @IsOptional() @MaxLength(100) @IsString() providerId?: string;
  /** Accepted for SDK compatibility; has no effect here. */
  @IsOptional() @IsBoolean() mfa?: boolean;
  /** Language of the message (BCP 47). @example "es" */
  @IsOptional() @MaxLength(35) @IsString() locale?: string;
}

export class UpdateEmailRequestDto extends UpdateOptionsDto {
  /** The new e-mail address; the code goes there. @example "ada.new@example.com" */
  @MaxLength(320) @IsNotEmpty() @IsString() @IsDefined() email: string;
}

export class UpdatePhoneRequestDto extends UpdateOptionsDto {
  /** The new phone number, E.164; the code goes there. @example "+34612345678" */
  @MaxLength(32) @IsNotEmpty() @IsString() @IsDefined() phone: string;
}
