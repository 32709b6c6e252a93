/** Who is calling: recorded on the sessions and audit events a route creates. */
export interface ClientInfo {
  userAgent?: string;
  ip?: string;
  requestId?: string;
}
