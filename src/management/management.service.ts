import { Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { baseContext } from '../auth/otp/challenge-context.js';
import { userAddress } from '../auth/otp/recipients.js';
import { SessionsService } from '../auth/sessions.service.js';
import { isPhoneChannel } from '../channels/channels.js';
import { DomainError } from '../common/errors/domain-error.js';
import { OtpService } from '../otp/otp.service.js';
import type { Project } from '../projects/projects.service.js';
import type { UserResponseDto } from '../users/dto/user-response.dto.js';
import { managedLoginId, parsePhone } from '../users/phone.js';
import type { UserStatus } from '../users/user.entity.js';
import { type UserAttributes, type UserRecord, UsersService } from '../users/users.service.js';
import type {
  CreateUserRequestDto,
  GenerateOtpRequestDto,
  PatchUserRequestDto,
  SearchUsersRequestDto,
  UserAttributesDto,
  UserRefDto,
} from './dto/management-requests.dto.js';
import type { GeneratedOtpDto, UsersPageDto } from './dto/management-responses.dto.js';

type ManagedAttribute = Exclude<keyof UserAttributes, 'status' | 'test'>;

/** The body fields each attribute comes from; a patch changes an attribute only when one is present. */
const SOURCES: Record<ManagedAttribute, (keyof UserAttributesDto)[]> = {
  name: ['displayName', 'name'],
  givenName: ['givenName'],
  middleName: ['middleName'],
  familyName: ['familyName'],
  email: ['email'],
  phone: ['phone'],
  verifiedEmail: ['verifiedEmail'],
  verifiedPhone: ['verifiedPhone'],
  roleNames: ['roleNames'],
  userTenants: ['userTenants'],
  customAttributes: ['customAttributes'],
  picture: ['picture'],
};

/** The management user API: users of one project, managed with a management key. */
@Injectable()
export class ManagementService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly otp: OtpService,
  ) {}

  /** The node SDK asks for this at start-up and echoes the tier on later management calls. */
  license(): { rateLimitTier: string } {
    return { rateLimitTier: 'self-hosted' };
  }

  async create(project: Project, body: CreateUserRequestDto, test: boolean): Promise<UserResponseDto> {
    const attributes: UserAttributes = { ...this.attributes(body, 'replace'), status: 'enabled', test };
    const loginIds = [body.loginId, ...(body.additionalLoginIds ?? [])].map(managedLoginId);
    const record = await this.users.createWith(project.id, loginIds, attributes);
    return UsersService.toResponse(record);
  }

  async load(project: Project, ref: UserRefDto): Promise<UserResponseDto> {
    return UsersService.toResponse(await this.find(project, ref));
  }

  async search(project: Project, body: SearchUsersRequestDto): Promise<UsersPageDto> {
    const { records, total } = await this.users.search(project.id, {
      ...body,
      loginIds: body.loginIds?.map(managedLoginId),
      page: body.page ?? 0,
      limit: body.limit || 100,
    });
    return { users: records.map(UsersService.toResponse), total };
  }

  /** Full replace: every attribute the body leaves out is cleared, and so are the additional login IDs. */
  async update(project: Project, body: CreateUserRequestDto): Promise<UserResponseDto> {
    const record = await this.find(project, { loginId: body.loginId });
    const updated = await this.users.updateWith(record, this.attributes(body, 'replace'), (body.additionalLoginIds ?? []).map(managedLoginId));
    return UsersService.toResponse(updated);
  }

  /** Partial update: only what the body holds changes. */
  async patch(project: Project, body: PatchUserRequestDto): Promise<UserResponseDto> {
    const record = await this.find(project, { loginId: body.loginId });
    const changes: Partial<UserAttributes> = { ...this.attributes(body, 'patch') };
    if (body.status) changes.status = body.status;
    const updated = await this.users.updateWith(record, changes, body.additionalLoginIds?.map(managedLoginId));
    if (body.status === 'disabled') await this.sessions.revokeUser(project.id, record.user.id);
    return UsersService.toResponse(updated);
  }

  /** Disabling a user also ends its sessions, so that enabling it again revives none of them. */
  async setStatus(project: Project, loginId: string, status: Extract<UserStatus, 'enabled' | 'disabled'>): Promise<UserResponseDto> {
    const record = await this.find(project, { loginId });
    const updated = await this.users.updateWith(record, { status });
    if (status === 'disabled') await this.sessions.revokeUser(project.id, record.user.id);
    return UsersService.toResponse(updated);
  }

  async delete(project: Project, ref: UserRefDto): Promise<void> {
    const record = await this.find(project, ref);
    await this.sessions.revokeUser(project.id, record.user.id);
    await this.users.delete(project.id, record.user.id);
  }

  async logout(project: Project, ref: UserRefDto): Promise<void> {
    const record = await this.find(project, ref);
    await this.sessions.revokeUser(project.id, record.user.id);
  }

  /**
   * A real sign-in challenge for a test user, answered with its code instead of being delivered;
   * the usual verify route then turns the code into a session.
   */
  async generateTestOtp(project: Project, body: GenerateOtpRequestDto): Promise<GeneratedOtpDto> {
    const record = await this.find(project, { loginId: body.loginId });
    if (!record.user.test) throw new DomainError('INVALID_REQUEST', 'Codes can only be generated for test users');
    const asked = managedLoginId(body.loginId);
    const loginId = record.loginIds.includes(asked) ? asked : record.loginIds[0]!;
    const channel = body.deliveryMethod;
    const target = userAddress(channel, loginId, record);
    if (!target) throw new DomainError('INVALID_REQUEST', `The test user has no ${isPhoneChannel(channel) ? 'phone number' : 'e-mail address'}`);
    const { settings } = project;
    const customClaims = body.loginOptions?.customClaims;
    const { code } = await this.otp.issue(
      project.id,
      loginId,
      channel,
      'signin',
      { length: settings.otpLength, expirySeconds: settings.otpExpirySeconds, maxAttempts: settings.otpMaxAttempts },
      baseContext(target, customClaims),
    );
    return { loginId, code };
  }

  /** The user named by user ID, or by login ID, which the SDKs also fill with a user ID. */
  private async find(project: Project, ref: UserRefDto): Promise<UserRecord> {
    let record: UserRecord | null = null;
    if (ref.userId) record = await this.users.findById(project.id, ref.userId);
    else if (ref.loginId) record = (await this.users.findByLoginId(project.id, managedLoginId(ref.loginId))) ?? (await this.users.findById(project.id, ref.loginId.trim()));
    else throw new DomainError('MISSING_ARGUMENT', 'loginId or userId is required');
    if (!record) throw new DomainError('MGMT_USER_NOT_FOUND', `No user ${JSON.stringify(ref.userId ?? ref.loginId)} in this project`);
    return record;
  }

  /**
   * The attributes a body sets. `replace` gives every attribute (absent ones cleared), `patch` only
   * those present.
   */
  private attributes(body: UserAttributesDto, mode: 'replace'): Pick<UserAttributes, ManagedAttribute>;
  private attributes(body: UserAttributesDto, mode: 'patch'): Partial<Pick<UserAttributes, ManagedAttribute>>;
  private attributes(body: UserAttributesDto, mode: 'replace' | 'patch'): Partial<Pick<UserAttributes, ManagedAttribute>> {
    const email = body.email?.trim().toLowerCase();
    if (email && !isEmail(email)) throw new DomainError('INVALID_REQUEST', 'email must be a valid e-mail address');
    // Parsed as the OTP routes parse it, so a number is stored in E.164 whichever way it arrived.
    const raw = body.phone?.trim();
    const phone = raw ? parsePhone(raw, 'phone').e164 : null;
    const all: Pick<UserAttributes, ManagedAttribute> = {
      name: body.displayName ?? body.name ?? null,
      givenName: body.givenName ?? null,
      middleName: body.middleName ?? null,
      familyName: body.familyName ?? null,
      email: email || null,
      phone,
      verifiedEmail: body.verifiedEmail ?? false,
      verifiedPhone: body.verifiedPhone ?? false,
      roleNames: body.roleNames ?? [],
      userTenants: (body.userTenants ?? []).map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName ?? '', roleNames: t.roleNames ?? [] })),
      customAttributes: body.customAttributes ?? {},
      picture: body.picture || null,
    };
    if (mode === 'replace') return all;
    const given = (key: string) => SOURCES[key as ManagedAttribute].some((field) => body[field] !== undefined);
    return Object.fromEntries(Object.entries(all).filter(([key]) => given(key)));
  }
}
