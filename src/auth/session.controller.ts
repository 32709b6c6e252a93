import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/http/api-error-responses.js';
import type { Project } from '../projects/projects.service.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import { UsersService } from '../users/users.service.js';
import { EmptyResponseDto } from './dto/empty-response.dto.js';
import { JwtResponseDto } from './dto/jwt-response.dto.js';
import { SignInHistoryDto } from './dto/sign-in-history.dto.js';
import type { ClientInfo } from './client-info.js';
import { Client } from './otp.controller.js';
import { BearerSecret, CurrentProject, ProjectAuthGuard } from '../projects/project-auth.guard.js';
import { CurrentSession, RefreshAuthGuard } from './refresh-auth.guard.js';
import { type AuthenticatedSession, SessionsService } from './sessions.service.js';

/** The session routes; all take `Bearer <projectId>:<refreshJwt>` and ignore the body. */
@ApiTags('Sessions')
@ApiBearerAuth('RefreshJwt')
@ApiErrorResponses()
@ApiExtraModels(EmptyResponseDto, JwtResponseDto)
@Controller('v1/auth')
export class SessionController {
  constructor(private readonly sessions: SessionsService) {}

  /** New session and refresh JWTs; the presented refresh JWT is rotated out after a short grace window. */
  @Post('refresh')
  @UseGuards(RefreshAuthGuard)
  @HttpCode(200)
  @ApiOkResponse({ type: JwtResponseDto })
  refresh(@CurrentProject() project: Project, @CurrentSession() auth: AuthenticatedSession, @Client() client: ClientInfo): Promise<JwtResponseDto> {
    return this.sessions.refresh(project, auth, client);
  }

  /**
   * A refresh that never fails for want of a session: with no refresh JWT (`Bearer <projectId>`), or
   * one that cannot be refreshed, it answers `200 {}` (web-js calls it at page load).
   */
  @Post('try-refresh')
  @UseGuards(ProjectAuthGuard)
  @ApiBearerAuth('ProjectId')
  @HttpCode(200)
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(JwtResponseDto) }, { $ref: getSchemaPath(EmptyResponseDto) }] } })
  async tryRefresh(
    @CurrentProject() project: Project,
    @BearerSecret() refreshJwt: string | undefined,
    @Client() client: ClientInfo,
  ): Promise<JwtResponseDto | EmptyResponseDto> {
    return (await this.sessions.tryRefresh(project, refreshJwt, client)) ?? {};
  }

  /** Ends this session: its refresh JWT (and every rotation of it) stops working. */
  @Post('logout')
  @UseGuards(RefreshAuthGuard)
  @HttpCode(200)
  @ApiOkResponse({ type: EmptyResponseDto })
  async logout(@CurrentSession() auth: AuthenticatedSession, @Client() client: ClientInfo): Promise<EmptyResponseDto> {
    await this.sessions.logout(auth, client);
    return {};
  }

  /** Ends every session of the user. */
  @Post('logoutall')
  @UseGuards(RefreshAuthGuard)
  @HttpCode(200)
  @ApiOkResponse({ type: EmptyResponseDto })
  async logoutAll(@CurrentSession() auth: AuthenticatedSession, @Client() client: ClientInfo): Promise<EmptyResponseDto> {
    await this.sessions.logoutAll(auth, client);
    return {};
  }

  /** The signed-in user. */
  @Get('me')
  @UseGuards(RefreshAuthGuard)
  @ApiOkResponse({ type: UserResponseDto })
  me(@CurrentSession() auth: AuthenticatedSession): UserResponseDto {
    return UsersService.toResponse(auth.record);
  }

  /** The user's sign-ins (the latest 100), newest first; city and country are always empty. */
  @Get('me/history')
  @UseGuards(RefreshAuthGuard)
  @ApiOkResponse({ type: [SignInHistoryDto] })
  history(@CurrentSession() auth: AuthenticatedSession): Promise<SignInHistoryDto[]> {
    return this.sessions.history(auth);
  }
}
