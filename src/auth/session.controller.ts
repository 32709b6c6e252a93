import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/http/api-error-responses.js';
import type { Project } from '../projects/projects.service.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import { UsersService } from '../users/users.service.js';
import { EmptyResponseDto } from './dto/empty-response.dto.js';
import { JwtResponseDto } from './dto/jwt-response.dto.js';
import type { ClientInfo } from './otp-auth.service.js';
import { Client } from './otp.controller.js';
import { CurrentProject } from './project-auth.guard.js';
import { CurrentSession, RefreshAuthGuard } from './refresh-auth.guard.js';
import { type AuthenticatedSession, SessionsService } from './sessions.service.js';

/** The session routes; all take `Bearer <projectId>:<refreshJwt>` and ignore the body. */
@ApiTags('Sessions')
@ApiBearerAuth('RefreshJwt')
@ApiErrorResponses()
@UseGuards(RefreshAuthGuard)
@Controller('v1/auth')
export class SessionController {
  constructor(private readonly sessions: SessionsService) {}

  /** New session and refresh JWTs; the presented refresh JWT is rotated out after a short grace window. */
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: JwtResponseDto })
  refresh(@CurrentProject() project: Project, @CurrentSession() auth: AuthenticatedSession, @Client() client: ClientInfo): Promise<JwtResponseDto> {
    return this.sessions.refresh(project, auth, client);
  }

  /** Ends this session: its refresh JWT (and every rotation of it) stops working. */
  @Post('logout')
  @HttpCode(200)
  @ApiOkResponse({ type: EmptyResponseDto })
  async logout(@CurrentSession() auth: AuthenticatedSession, @Client() client: ClientInfo): Promise<EmptyResponseDto> {
    await this.sessions.logout(auth, client);
    return {};
  }

  /** Ends every session of the user. */
  @Post('logoutall')
  @HttpCode(200)
  @ApiOkResponse({ type: EmptyResponseDto })
  async logoutAll(@CurrentSession() auth: AuthenticatedSession, @Client() client: ClientInfo): Promise<EmptyResponseDto> {
    await this.sessions.logoutAll(auth, client);
    return {};
  }

  /** The signed-in user. */
  @Get('me')
  @ApiOkResponse({ type: UserResponseDto })
  me(@CurrentSession() auth: AuthenticatedSession): UserResponseDto {
    return UsersService.toResponse(auth.record);
  }
}
