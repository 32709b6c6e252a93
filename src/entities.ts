import { AuditEventEntity } from './audit/audit-event.entity.js';
import { SessionEntity } from './auth/session.entity.js';
import { SigningKeyEntity } from './auth/signing-key.entity.js';
import { DeliveryEntity } from './delivery/delivery.entity.js';
import { ManagementKeyEntity } from './projects/management-key.entity.js';
import { ProjectEntity } from './projects/project.entity.js';
import { LoginIdEntity } from './users/login-id.entity.js';
import { UserEntity } from './users/user.entity.js';

/**
 * Every table of the schema, in one list, for what sees the schema whole rather than through one
 * module (entities.spec checks the migrations against it). The Nest processes do not use it: each
 * module registers its own entities (TypeOrmModule.forFeature) and the root loads those.
 */
export const ENTITIES = [ProjectEntity, ManagementKeyEntity, UserEntity, LoginIdEntity, SessionEntity, SigningKeyEntity, DeliveryEntity, AuditEventEntity];
