/** What each command does, for `--help`; the keys are "group action". */
export const COMMAND_HELP: Record<string, string> = {
  'project create': `usage: node dist/cli.js project create --name <name>

Creates a project with the default settings and its first management key. Prints
{"projectId":"P...","managementKey":"K..."}: the projectId is the bearer of the OTP routes
(Swagger UI's ProjectId), the management key (shown only now) goes in "Bearer <projectId>:<key>".`,
  'project show': `usage: node dist/cli.js project show <projectId>

Prints the project: its name, settings and creation time.`,
  'project update': `usage: node dist/cli.js project update <projectId> --set <key>=<value> [--set <key>=<value> ...]

Changes per-project settings (README, "Per-project settings"), e.g. --set otpLength=8
--set antiEnumeration=true. Every value is checked first; a refused update changes nothing.`,
  'keys create': `usage: node dist/cli.js keys create --project <projectId> [--name <name>]

Creates a management key (for "Bearer <projectId>:<key>") and prints it: the only time it is shown,
as only its hash is kept.`,
  'keys list': `usage: node dist/cli.js keys list --project <projectId>

Lists the project's management keys: id, name, creation and revocation times, never the keys.`,
  'keys revoke': `usage: node dist/cli.js keys revoke --project <projectId> --key-id <id>

Revokes a management key (its id from keys list); requests with it then answer 401.`,
  'keys rotate': `usage: node dist/cli.js keys rotate --project <projectId>

Makes a new signing key current. The previous keys stay in the JWKS until the last token they
may have signed has expired, so sessions in flight keep validating.`,
};

export const USAGE = `usage: node dist/cli.js <command> [options]

commands:
  project create --name <name>                          a new project and its first management key
  project show <projectId>                              the project and its settings
  project update <projectId> --set <key>=<value> ...    change settings
  keys create --project <projectId> [--name <name>]     a new management key, printed once
  keys list --project <projectId>                       management keys (ids and names)
  keys revoke --project <projectId> --key-id <id>       revoke a management key
  keys rotate --project <projectId>                     a new signing key

node dist/cli.js <command> --help describes one command.

Each command prints one line of JSON, and on stderr the database it used. It reads DATABASE_URL
(default sqlite:./data/otp.sqlite) and OTP_SECRET (required in production) from the environment,
or from .env in the working directory.`;
