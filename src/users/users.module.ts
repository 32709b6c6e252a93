import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoginIdEntity } from './login-id.entity.js';
import { UserEntity } from './user.entity.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, LoginIdEntity])],
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}
