// The ceiling of the benchmark: NestJS on Fastify with the product's validation pipe and one POST route
// whose DTO is validated, answering {}. Whatever the product does beyond this is the cost of its work.
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString, MaxLength } from 'class-validator';
import { createValidationPipe } from '../src/common/http/validation.js';

class BareRequestDto {
  @IsString() @MaxLength(320) loginId: string;
}

@Controller()
class BareController {
  @Post('bench')
  @HttpCode(200)
  echo(@Body() _body: BareRequestDto): Record<string, never> {
    return {};
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter({ bodyLimit: 64 * 1024 }), { logger: ['error'] });
app.useGlobalPipes(createValidationPipe());
await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.stdout.write(`bare app listening on ${await app.getUrl()}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
