import { AuditEventEntity } from '../audit/audit-event.entity.js';
import { SessionEntity } from '../auth/session.entity.js';
import { SigningKeyEntity } from '../auth/signing-key.entity.js';
import { DeliveryEntity } from '../delivery/delivery.entity.js';
import { ManagementKeyEntity } from '../projects/management-key.entity.js';
import { ProjectEntity } from '../projects/project.entity.js';
import { LoginIdEntity } from '../users/login-id.entity.js';
import { UserEntity } from '../users/user.entity.js';
import { InitialSchema1764100000000 } from './migrations/1764100000000-initial-schema.js';
import { DeliveriesAndAudit1764600000000 } from './migrations/1764600000000-deliveries-and-audit.js';
import { SessionSuccessor1764900000000 } from './migrations/1764900000000-session-successor.js';
import { AuditUserIndex1765300000000 } from './migrations/1765300000000-audit-user-index.js';

export const ENTITIES = [ProjectEntity, ManagementKeyEntity, UserEntity, LoginIdEntity, SessionEntity, SigningKeyEntity, DeliveryEntity, AuditEventEntity];
export const MIGRATIONS = [InitialSchema1764100000000, DeliveriesAndAudit1764600000000, SessionSuccessor1764900000000, AuditUserIndex1765300000000];
