import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionEntity } from './session.entity.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { SessionsRepository } from './sessions.repository.js';
import { SigningKeysService } from './signing-keys.service.js';

/**
 * The signing keys (and the sessions' repository, whose expiries a rotation reads) alone, so that
 * the CLI can rotate them without the HTTP side of AuthModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity, SessionEntity])],
  providers: [SigningKeysService, SessionsRepository],
  exports: [SigningKeysService, SessionsRepository],
})
export class SigningKeysModule {}
