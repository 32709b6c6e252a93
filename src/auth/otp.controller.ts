import { Body, Controller, createParamDecorator, type ExecutionContext, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrorResponses } from '../common/http/api-error-responses.js';
import { type Channel, CHANNELS, PHONE_CHANNELS, type PhoneChannel } from '../channels/channels.js';
import type { Project } from '../projects/projects.service.js';
import { JwtResponseDto } from './dto/jwt-response.dto.js';
import {
  MaskedEmailResponseDto,
  MaskedPhoneResponseDto,
  SignInRequestDto,
  SignUpRequestDto,
  UpdateEmailRequestDto,
  UpdatePhoneRequestDto,
  VerifyRequestDto,
} from './dto/otp-requests.dto.js';
import type { ClientInfo } from './client-info.js';
import { AddressUpdateUseCase } from './otp/address-update.use-case.js';
import type { SendOptions, SendResult, UpdateOptions } from './otp/otp-options.js';
import { SignInUseCase } from './otp/sign-in.use-case.js';
import { SignUpOrInUseCase } from './otp/sign-up-or-in.use-case.js';
import { SignUpUseCase } from './otp/sign-up.use-case.js';
import { VerifyOtpUseCase } from './otp/verify.use-case.js';
import { RateLimitLayer } from '../rate-limit/rate-limit.guard.js';
import { type AuthenticatedRequest, CurrentProject, ProjectAuthGuard } from '../projects/project-auth.guard.js';
import { CurrentSession, RefreshAuthGuard } from './refresh-auth.guard.js';
import type { AuthenticatedSession } from './sessions.service.js';

/** One route per delivery method, so that the OpenAPI document lists every path the SDKs call. */
const perChannel = (action: string) => CHANNELS.map((channel) => `${action}/${channel}`);
const MASKED = { schema: { oneOf: [{ $ref: getSchemaPath(MaskedEmailResponseDto) }, { $ref: getSchemaPath(MaskedPhoneResponseDto) }] } };

/** The delivery method is the last segment of the matched route, e.g. `signin/email`. */
const RouteChannel = createParamDecorator((_: unknown, context: ExecutionContext): Channel => {
  const url = context.switchToHttp().getRequest<FastifyRequest>().routeOptions.url ?? '';
  return url.slice(url.lastIndexOf('/') + 1) as Channel;
});

/** The caller's user agent and IP, recorded on the session a route creates. */
export const Client = createParamDecorator((_: unknown, context: ExecutionContext): ClientInfo => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return { ip: request.ip, userAgent: request.headers['user-agent'], requestId: String(request.id) };
});

@ApiTags('OTP')
@ApiExtraModels(MaskedEmailResponseDto, MaskedPhoneResponseDto)
@ApiErrorResponses()
@Controller('v1/auth/otp')
export class OtpController {
  constructor(
    private readonly signUps: SignUpUseCase,
    private readonly signIns: SignInUseCase,
    private readonly signUpOrIns: SignUpOrInUseCase,
    private readonly verifies: VerifyOtpUseCase,
    private readonly addressUpdates: AddressUpdateUseCase,
  ) {}

  /** Sign up a new user and send a code; the user is verified by the verify route. */
  @Post(perChannel('signup'))
  @RateLimitLayer('send')
  @UseGuards(ProjectAuthGuard)
  @ApiBearerAuth('ProjectId')
  @HttpCode(200)
  @ApiOkResponse(MASKED)
  signUp(@CurrentProject() project: Project, @RouteChannel() channel: Channel, @Body() body: SignUpRequestDto, @Req() req: FastifyRequest): Promise<SendResult> {
    return this.signUps.send(project, channel, body.loginId, body.user ?? {}, sendOptions(body, req));
  }

  /** Send a sign-in code to an existing user. */
  @Post(perChannel('signin'))
  @RateLimitLayer('send')
  @UseGuards(ProjectAuthGuard)
  @ApiBearerAuth('ProjectId')
  @HttpCode(200)
  @ApiOkResponse(MASKED)
  signIn(@CurrentProject() project: Project, @RouteChannel() channel: Channel, @Body() body: SignInRequestDto, @Req() req: FastifyRequest): Promise<SendResult> {
    return this.signIns.send(project, channel, body.loginId, sendOptions(body, req));
  }

  /** Send a code, creating the user when the login ID is new. */
  @Post(perChannel('signup-in'))
  @RateLimitLayer('send')
  @UseGuards(ProjectAuthGuard)
  @ApiBearerAuth('ProjectId')
  @HttpCode(200)
  @ApiOkResponse(MASKED)
  signUpOrIn(@CurrentProject() project: Project, @RouteChannel() channel: Channel, @Body() body: SignInRequestDto, @Req() req: FastifyRequest): Promise<SendResult> {
    return this.signUpOrIns.send(project, channel, body.loginId, sendOptions(body, req));
  }

  /** Verify a code and get a session. */
  @Post(perChannel('verify'))
  @RateLimitLayer('verify')
  @UseGuards(ProjectAuthGuard)
  @ApiBearerAuth('ProjectId')
  @HttpCode(200)
  verify(
    @CurrentProject() project: Project,
    @RouteChannel() channel: Channel,
    @Body() body: VerifyRequestDto,
    @Client() client: ClientInfo,
  ): Promise<JwtResponseDto> {
    return this.verifies.verify(project, channel, body.loginId, body.code, client);
  }

  /** Send a code to a new e-mail address of the signed-in user; verify it at verify/email with the user's login ID. */
  @Post('update/email')
  @RateLimitLayer('send')
  @HttpCode(200)
  @UseGuards(RefreshAuthGuard)
  @ApiBearerAuth('RefreshJwt')
  @ApiOkResponse({ type: MaskedEmailResponseDto })
  updateEmail(
    @CurrentProject() project: Project,
    @CurrentSession() session: AuthenticatedSession,
    @Body() body: UpdateEmailRequestDto,
    @Req() req: FastifyRequest,
  ): Promise<SendResult> {
    return this.addressUpdates.updateEmail(project, session, body.loginId, body.email, updateOptions(body, req));
  }

  /** Send a code to a new phone number of the signed-in user; verify it at verify/<method> with the user's login ID. */
  @Post(PHONE_CHANNELS.map((channel) => `update/phone/${channel}`))
  @RateLimitLayer('send')
  @HttpCode(200)
  @UseGuards(RefreshAuthGuard)
  @ApiBearerAuth('RefreshJwt')
  @ApiOkResponse({ type: MaskedPhoneResponseDto })
  updatePhone(
    @CurrentProject() project: Project,
    @CurrentSession() session: AuthenticatedSession,
    @RouteChannel() channel: Channel,
    @Body() body: UpdatePhoneRequestDto,
    @Req() req: FastifyRequest,
  ): Promise<SendResult> {
    return this.addressUpdates.updatePhone(project, session, channel as PhoneChannel, body.loginId, body.phone, updateOptions(body, req));
  }
}

function updateOptions(body: UpdateEmailRequestDto | UpdatePhoneRequestDto, req: FastifyRequest): UpdateOptions {
  return {
    templateOptions: body.templateOptions,
    locale: body.locale ?? preferredLanguage(req.headers['accept-language']),
    requestId: String(req.id),
    ip: req.ip,
    addToLoginIDs: body.addToLoginIDs,
    onMergeUseExisting: body.onMergeUseExisting,
  };
}

function sendOptions(body: SignInRequestDto, req: FastifyRequest): SendOptions {
  const options = body.loginOptions ?? {};
  return {
    templateOptions: options.templateOptions,
    locale: options.locale ?? preferredLanguage(req.headers['accept-language']),
    customClaims: options.customClaims,
    requestId: String(req.id),
    ip: req.ip,
    stepup: options.stepup,
    mfa: options.mfa,
    revokeOtherSessions: options.revokeOtherSessions,
    refreshJwt: (req as AuthenticatedRequest).bearerSecret,
  };
}

/** The first language of an Accept-Language header, ignoring the wildcard. */
function preferredLanguage(header: string | undefined): string | undefined {
  const first = header?.split(',')[0]?.split(';')[0]?.trim();
  return first && first !== '*' ? first : undefined;
}
