import { InitialSchema1764100000000 } from './1764100000000-initial-schema.js';
import { DeliveriesAndAudit1764600000000 } from './1764600000000-deliveries-and-audit.js';
import { SessionSuccessor1764900000000 } from './1764900000000-session-successor.js';
import { AuditUserIndex1765300000000 } from './1765300000000-audit-user-index.js';

export const MIGRATIONS = [InitialSchema1764100000000, DeliveriesAndAudit1764600000000, SessionSuccessor1764900000000, AuditUserIndex1765300000000];
