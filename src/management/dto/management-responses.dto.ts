import { UserResponseDto } from '../../users/dto/user-response.dto.js';

export class LicenseResponseDto {
  /** @example "self-hosted" */
  rateLimitTier: string;
}

export class UserEnvelopeDto {
  user: UserResponseDto;
}

export class UsersPageDto {
  users: UserResponseDto[];
  /** Matches over all pages. @example 1 */
  total: number;
}

export class GeneratedOtpDto {
  /** @example "test-ada@example.com" */
  loginId: string;
  /** The code, exactly as it would have been sent. @example "123456" */
  code: string;
}
