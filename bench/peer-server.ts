// The peer of `npm run bench -- --peer`: better-auth with its email-OTP plugin on PostgreSQL, served by
// Node's own http server, as its documentation sets it up. Codes go to an in-memory map instead of a
// mail provider; GET /bench/code?email= hands them to the load generator (as the sink does for ours).
import { createServer } from 'node:http';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { emailOTP } from 'better-auth/plugins/email-otp';
import pg from 'pg';

const port = Number(process.env.PORT ?? 0);
const codes = new Map<string, string>();
// Limits stay evaluated on every request, with thresholds the load cannot reach, as for the project.
const unreachable = { window: 60, max: 1_000_000_000 };
const options = {
  database: new pg.Pool({ connectionString: process.env.DATABASE_URL }),
  secret: process.env.BETTER_AUTH_SECRET,
  baseURL: `http://127.0.0.1:${port}`,
  telemetry: { enabled: false },
  rateLimit: { enabled: true, ...unreachable },
  plugins: [
    emailOTP({
      // Hashed like the project's codes (the plugin's default keeps them in clear).
      storeOTP: 'hashed',
      rateLimit: unreachable,
      sendVerificationOTP: async ({ email, otp }) => void codes.set(email, otp),
    }),
  ],
} satisfies Parameters<typeof betterAuth>[0];
await (await getMigrations(options)).runMigrations();
const auth = betterAuth(options);
const handler = toNodeHandler(auth);

const server = createServer((req, res) => {
  if (!req.url?.startsWith('/bench/code')) return void handler(req, res);
  const email = new URL(req.url, 'http://x').searchParams.get('email') ?? '';
  const code = codes.get(email);
  codes.delete(email);
  res.writeHead(code ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ code }));
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`peer listening on ${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
