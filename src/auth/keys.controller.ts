import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/http/api-error-responses.js';
import { ProjectsService } from '../projects/projects.service.js';
import { JwksResponseDto } from './dto/jwks-response.dto.js';
import { SigningKeysService } from './signing-keys.service.js';

@ApiTags('Keys')
@ApiErrorResponses()
@Controller('v2/keys')
export class KeysController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly keys: SigningKeysService,
  ) {}

  /** The project's public signing keys (JWKS). Public, like any JWKS: no bearer needed. */
  @Get(':projectId')
  @ApiOkResponse({ type: JwksResponseDto })
  async jwks(@Param('projectId') projectId: string): Promise<JwksResponseDto> {
    const project = await this.projects.get(projectId);
    return { keys: await this.keys.jwks(project.id) };
  }
}
