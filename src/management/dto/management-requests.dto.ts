import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { LoginOptionsDto } from '../../auth/dto/otp-requests.dto.js';
import { CHANNELS, type Channel } from '../../otp/otp.types.js';
import type { UserStatus } from '../../users/user.entity.js';

export class UserTenantInputDto {
  /** @example "T2abc" */
  @MaxLength(100) @IsNotEmpty() @IsString() @IsDefined() tenantId: string;
  /** @example "Acme" */
  @IsOptional() @MaxLength(200) @IsString() tenantName?: string;
  /** @example ["admin"] */
  @IsOptional() @ArrayMaxSize(100) @MaxLength(100, { each: true }) @IsString({ each: true }) @IsArray() roleNames?: string[];
}

/** The user's attributes as the management API takes them; on update, an absent one is cleared. */
export class UserAttributesDto {
  /** @example "ada@example.com" */
  @IsOptional() @MaxLength(320) @IsString() email?: string;
  /** E.164. @example "+14155550100" */
  @IsOptional() @MaxLength(32) @IsString() phone?: string;
  /** The user's display name. @example "Ada Lovelace" */
  @IsOptional() @MaxLength(200) @IsString() displayName?: string;
  /** Accepted as a synonym of `displayName`. */
  @IsOptional() @MaxLength(200) @IsString() name?: string;
  /** @example "Ada" */
  @IsOptional() @MaxLength(200) @IsString() givenName?: string;
  @IsOptional() @MaxLength(200) @IsString() middleName?: string;
  /** @example "Lovelace" */
  @IsOptional() @MaxLength(200) @IsString() familyName?: string;
  /** @example ["admin"] */
  @IsOptional() @ArrayMaxSize(100) @MaxLength(100, { each: true }) @IsString({ each: true }) @IsArray() roleNames?: string[];
  @IsOptional() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => UserTenantInputDto) @IsArray() userTenants?: UserTenantInputDto[];
  /** @example {"plan": "pro"} */
  @IsOptional() @IsObject() customAttributes?: Record<string, string | number | boolean | null>;
  @IsOptional() @MaxLength(2048) @IsString() picture?: string;
  @IsOptional() @IsBoolean() verifiedEmail?: boolean;
  @IsOptional() @IsBoolean() verifiedPhone?: boolean;
  /** More login IDs besides `loginId`. @example ["ada.lovelace@example.com"] */
  @IsOptional() @ArrayMaxSize(20) @MaxLength(320, { each: true }) @IsString({ each: true }) @IsArray() additionalLoginIds?: string[];
}

export class CreateUserRequestDto extends UserAttributesDto {
  /** @example "ada@example.com" */
  @MaxLength(320) @IsNotEmpty() @IsString() @IsDefined() loginId: string;
}

/** Update and patch name the user by `loginId`, which may also hold the user ID (as the SDKs send it). */
export class UpdateUserRequestDto extends CreateUserRequestDto {}

export class PatchUserRequestDto extends CreateUserRequestDto {
  @IsOptional() @IsIn(['enabled', 'disabled']) status?: Extract<UserStatus, 'enabled' | 'disabled'>;
}

export class UpdateStatusRequestDto {
  /** A login ID or the user ID. @example "ada@example.com" */
  @MaxLength(320) @IsNotEmpty() @IsString() @IsDefined() loginId: string;
  /** @example "disabled" */
  @IsIn(['enabled', 'disabled']) @IsDefined() status: Extract<UserStatus, 'enabled' | 'disabled'>;
}

/** A user named by login ID (or user ID in its place) or by user ID. */
export class UserRefDto {
  /** @example "ada@example.com" */
  @IsOptional() @MaxLength(320) @IsString() loginId?: string;
  /** @example "U2xR0bkYRh6bMbfpTqTWtEqPVTpI" */
  @IsOptional() @MaxLength(64) @IsString() userId?: string;
}

export class SearchUsersRequestDto {
  /** Zero-based page number. @example 0 */
  @IsOptional() @Min(0) @Max(100000) @IsInt() page?: number;
  /** Users per page, 100 when absent or 0, at most 1000. @example 100 */
  @IsOptional() @Min(0) @Max(1000) @IsInt() limit?: number;
  /** Case-insensitive part of a name, e-mail, phone or login ID. @example "ada" */
  @IsOptional() @MaxLength(200) @IsString() text?: string;
  @IsOptional() @ArrayMaxSize(1000) @IsString({ each: true }) @IsArray() emails?: string[];
  @IsOptional() @ArrayMaxSize(1000) @IsString({ each: true }) @IsArray() phones?: string[];
  /** @example ["enabled"] */
  @IsOptional() @IsIn(['enabled', 'disabled', 'invited'], { each: true }) @IsArray() statuses?: UserStatus[];
  @IsOptional() @ArrayMaxSize(1000) @IsString({ each: true }) @IsArray() loginIds?: string[];
  @IsOptional() @ArrayMaxSize(1000) @IsString({ each: true }) @IsArray() userIds?: string[];
  /** Include test users (left out by default). */
  @IsOptional() @IsBoolean() withTestUser?: boolean;
  /** Only test users. */
  @IsOptional() @IsBoolean() testUsersOnly?: boolean;
}

export class GenerateOtpRequestDto {
  /** @example "email" */
  @IsIn(CHANNELS) @IsDefined() deliveryMethod: Channel;
  /** A login ID of a test user. @example "test-ada@example.com" */
  @MaxLength(320) @IsNotEmpty() @IsString() @IsDefined() loginId: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => LoginOptionsDto) loginOptions?: LoginOptionsDto;
}
