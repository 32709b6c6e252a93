/**
 * Secrets that appear in this repository (the development fallback, examples, tests, benchmarks):
 * anyone can read them, so production refuses them whatever they look like.
 */
const PUBLISHED_SECRETS = new Set([
  'development-only-otp-secret-do-not-use-in-production',
  'e2e-test-secret-0123456789abcdef0123456789abcdef',
  'lint-placeholder-secret-0123456789abcdef',
  'test-secret-0123456789abcdef0123456789',
  'bench-only-secret-0123456789abcdef0123456789abcdef',
]);

const BASE64 = /^[A-Za-z0-9+/_-]{43,}={0,2}$/;
const HEX = /^[0-9a-fA-F]{64,}$/;

/** Longest run of one repeated character, and of characters counting up or down by one (abcde, 43210). */
function runs(secret: string): { repeated: number; sequence: number } {
  let repeated = 1;
  let sequence = 1;
  let rep = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < secret.length; i++) {
    const step = secret.charCodeAt(i) - secret.charCodeAt(i - 1);
    rep = step === 0 ? rep + 1 : 1;
    up = step === 1 ? up + 1 : 1;
    down = step === -1 ? down + 1 : 1;
    repeated = Math.max(repeated, rep);
    sequence = Math.max(sequence, up, down);
  }
  return { repeated, sequence };
}

/**
 * Why `secret` is not fit for production, or null. The rule: at least 32 bytes from a random source,
 * written as base64/base64url (43+ characters) or hex (64+ characters), as `openssl rand -base64 48`
 * or `openssl rand -hex 32` print them; and it must look random: at most 5 equal characters in a
 * row, no run of 6 characters counting up or down, and at least 20 distinct characters (hex: 12).
 * A truly random secret of that size breaks these rules with a probability under 1 in 1,000.
 */
export function weakSecretReason(secret: string): string | null {
  if (PUBLISHED_SECRETS.has(secret)) return 'is a published example secret; generate one with `openssl rand -base64 48`';
  const hex = HEX.test(secret);
  if (!hex && !BASE64.test(secret)) {
    return 'must be 32+ random bytes as base64 (43+ characters) or hex (64+ characters); generate one with `openssl rand -base64 48`';
  }
  const { repeated, sequence } = runs(secret);
  const distinct = new Set(hex ? secret.toLowerCase() : secret).size;
  if (repeated > 5 || sequence >= 6 || distinct < (hex ? 12 : 20)) {
    return 'has too little entropy (long runs or too few distinct characters); generate one with `openssl rand -base64 48`';
  }
  return null;
}
