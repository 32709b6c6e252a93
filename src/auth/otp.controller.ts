import { Body, Controller, createParamDecorator, type ExecutionContext, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrorResponses } from '../common/http/api-error-responses.js';
import type { Channel } from '../otp/otp.types.js';
import type { Project } from '../projects/projects.service.js';
import { JwtResponseDto } from './dto/jwt-response.dto.js';
import { MaskedEmailResponseDto, SignInRequestDto, SignUpRequestDto, VerifyRequestDto } from './dto/otp-requests.dto.js';
import { type ClientInfo, OtpAuthService, type SendResult } from './otp-auth.service.js';
import { type AuthenticatedRequest, CurrentProject, ProjectAuthGuard } from './project-auth.guard.js';

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
@ApiBearerAuth('ProjectId')
@ApiExtraModels(MaskedEmailResponseDto)
@ApiErrorResponses()
@UseGuards(ProjectAuthGuard)
@Controller('v1/auth/otp')
export class OtpController {
  constructor(private readonly auth: OtpAuthService) {}

  /** Sign up a new user and send a code; the user is verified by the verify route. */
  @Post(['signup/email'])
  @HttpCode(200)
  @ApiOkResponse({ schema: { $ref: getSchemaPath(MaskedEmailResponseDto) } })
  signUp(@CurrentProject() project: Project, @RouteChannel() channel: Channel, @Body() body: SignUpRequestDto, @Req() req: FastifyRequest): Promise<SendResult> {
    return this.auth.signUp(project, channel, body.loginId, body.user ?? {}, sendOptions(body, req));
  }

  /** Send a sign-in code to an existing user. */
  @Post(['signin/email'])
  @HttpCode(200)
  @ApiOkResponse({ schema: { $ref: getSchemaPath(MaskedEmailResponseDto) } })
  signIn(@CurrentProject() project: Project, @RouteChannel() channel: Channel, @Body() body: SignInRequestDto, @Req() req: FastifyRequest): Promise<SendResult> {
    return this.auth.signIn(project, channel, body.loginId, sendOptions(body, req));
  }

  /** Send a code, creating the user when the login ID is new. */
  @Post(['signup-in/email'])
  @HttpCode(200)
  @ApiOkResponse({ schema: { $ref: getSchemaPath(MaskedEmailResponseDto) } })
  signUpOrIn(@CurrentProject() project: Project, @RouteChannel() channel: Channel, @Body() body: SignInRequestDto, @Req() req: FastifyRequest): Promise<SendResult> {
    return this.auth.signUpOrIn(project, channel, body.loginId, sendOptions(body, req));
  }

  /** Verify a code and get a session. */
  @Post(['verify/email'])
  @HttpCode(200)
  verify(
    @CurrentProject() project: Project,
    @RouteChannel() channel: Channel,
    @Body() body: VerifyRequestDto,
    @Client() client: ClientInfo,
  ): Promise<JwtResponseDto> {
    return this.auth.verify(project, channel, body.loginId, body.code, client);
  }
}

function sendOptions(body: SignInRequestDto, req: FastifyRequest) {
  const options = body.loginOptions ?? {};
  return {
    templateOptions: options.templateOptions,
    locale: options.locale ?? preferredLanguage(req.headers['accept-language']),
    customClaims: options.customClaims,
    requestId: String(req.id),
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
