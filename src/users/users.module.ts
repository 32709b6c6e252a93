import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AddressChangeService } from './address-change.service.js';
import { LoginIdEntity } from './login-id.entity.js';
import { UserCreationService } from './user-creation.service.js';
import { UserEntity } from './user.entity.js';
import { UsersAdminService } from './users-admin.service.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, LoginIdEntity])],
  providers: [UsersService, UsersRepository, UserCreationService, AddressChangeService, UsersAdminService],
  exports: [UsersService],
})
export class UsersModule {}
