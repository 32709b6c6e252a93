import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionEntity } from './session.entity.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { SigningKeysService } from './signing-keys.service.js';

/** The signing keys alone, so that the CLI can rotate them without the HTTP side of AuthModule. */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity, SessionEntity])],
  providers: [SigningKeysService],
  exports: [SigningKeysService],
})
export class SigningKeysModule {}
