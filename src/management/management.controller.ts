import { Body, Controller, Get, HttpCode, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EmptyResponseDto } from '../auth/dto/empty-response.dto.js';
import { ApiErrorResponses } from '../common/http/api-error-responses.js';
import { ErrorResponseDto } from '../common/http/error-response.dto.js';
import { ManagementAuthGuard } from '../projects/management-auth.guard.js';
import { CurrentProject } from '../projects/project-auth.guard.js';
import type { Project } from '../projects/projects.service.js';
import {
  CreateUserRequestDto,
  GenerateOtpRequestDto,
  PatchUserRequestDto,
  SearchUsersRequestDto,
  UpdateStatusRequestDto,
  UpdateUserRequestDto,
  UserRefDto,
} from './dto/management-requests.dto.js';
import { GeneratedOtpDto, LicenseResponseDto, UserEnvelopeDto, UsersPageDto } from './dto/management-responses.dto.js';
import { ManagementService } from './management.service.js';

/** The management user API of docs/API.md (`Bearer <projectId>:<managementKey>`). */
@ApiTags('Management')
@ApiBearerAuth('ManagementKey')
@ApiErrorResponses()
@ApiResponse({ status: 404, description: 'No such user in this project (E112102)', type: ErrorResponseDto })
@UseGuards(ManagementAuthGuard)
@Controller()
export class ManagementController {
  constructor(private readonly management: ManagementService) {}

  /** The node SDK's start-up handshake. */
  @Get('v1/mgmt/license')
  @ApiOkResponse({ type: LicenseResponseDto })
  license(): LicenseResponseDto {
    return this.management.license();
  }

  /** Creates an enabled user. */
  @Post('v1/mgmt/user/create')
  @HttpCode(200)
  @ApiOkResponse({ type: UserEnvelopeDto })
  async create(@CurrentProject() project: Project, @Body() body: CreateUserRequestDto): Promise<UserEnvelopeDto> {
    return { user: await this.management.create(project, body, false) };
  }

  /** Creates a test user: left out of searches unless asked for, and the only kind that may get generated codes. */
  @Post('v1/mgmt/user/create/test')
  @HttpCode(200)
  @ApiOkResponse({ type: UserEnvelopeDto })
  async createTest(@CurrentProject() project: Project, @Body() body: CreateUserRequestDto): Promise<UserEnvelopeDto> {
    return { user: await this.management.create(project, body, true) };
  }

  /** Loads a user by `?loginId=` (a user ID is accepted there too) or `?userId=`. */
  @Get('v1/mgmt/user')
  @ApiOkResponse({ type: UserEnvelopeDto })
  async load(@CurrentProject() project: Project, @Query() query: UserRefDto): Promise<UserEnvelopeDto> {
    return { user: await this.management.load(project, query) };
  }

  /** Searches the project's users, a page at a time. */
  @Post('v2/mgmt/user/search')
  @HttpCode(200)
  @ApiOkResponse({ type: UsersPageDto })
  search(@CurrentProject() project: Project, @Body() body: SearchUsersRequestDto): Promise<UsersPageDto> {
    return this.management.search(project, body);
  }

  /** Replaces the user's attributes: what the body leaves out is cleared. */
  @Post('v1/mgmt/user/update')
  @HttpCode(200)
  @ApiOkResponse({ type: UserEnvelopeDto })
  async update(@CurrentProject() project: Project, @Body() body: UpdateUserRequestDto): Promise<UserEnvelopeDto> {
    return { user: await this.management.update(project, body) };
  }

  /** Changes only the attributes the body holds. */
  @Patch('v1/mgmt/user/patch')
  @ApiOkResponse({ type: UserEnvelopeDto })
  async patch(@CurrentProject() project: Project, @Body() body: PatchUserRequestDto): Promise<UserEnvelopeDto> {
    return { user: await this.management.patch(project, body) };
  }

  /** Enables or disables a user; disabling ends its sessions. */
  @Post('v1/mgmt/user/update/status')
  @HttpCode(200)
  @ApiOkResponse({ type: UserEnvelopeDto })
  async updateStatus(@CurrentProject() project: Project, @Body() body: UpdateStatusRequestDto): Promise<UserEnvelopeDto> {
    return { user: await this.management.setStatus(project, body.loginId, body.status) };
  }

  /** Deletes a user and ends its sessions. */
  @Post('v1/mgmt/user/delete')
  @HttpCode(200)
  @ApiOkResponse({ type: EmptyResponseDto })
  async delete(@CurrentProject() project: Project, @Body() body: UserRefDto): Promise<EmptyResponseDto> {
    await this.management.delete(project, body);
    return {};
  }

  /** Ends every session of a user. */
  @Post('v1/mgmt/user/logout')
  @HttpCode(200)
  @ApiOkResponse({ type: EmptyResponseDto })
  async logout(@CurrentProject() project: Project, @Body() body: UserRefDto): Promise<EmptyResponseDto> {
    await this.management.logout(project, body);
    return {};
  }

  /** Issues a sign-in code for a test user and returns it instead of sending it. */
  @Post('v1/mgmt/tests/generate/otp')
  @HttpCode(200)
  @ApiOkResponse({ type: GeneratedOtpDto })
  generateOtp(@CurrentProject() project: Project, @Body() body: GenerateOtpRequestDto): Promise<GeneratedOtpDto> {
    return this.management.generateTestOtp(project, body);
  }
}
