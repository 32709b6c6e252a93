/**
 * `node dist/healthcheck.js <url>`: exits 0 when <url> answers 2xx within 4 s, 1 otherwise. The
 * container images have no curl or wget; Docker and Compose health checks run this instead.
 */
const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: node dist/healthcheck.js <url>\n');
  process.exit(2);
}
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
