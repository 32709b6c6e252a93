/**
 * Redis scripts for the rate limits. Each check is one script, so concurrent requests in many API
 * processes count exactly; every key of one script shares a hash tag, so they run on Redis Cluster.
 * Time comes from Redis (TIME), so API clocks that disagree cannot widen a window.
 */

/**
 * Fixed-window counter with a block, for @nestjs/throttler.
 * KEYS[1] hits, KEYS[2] block; ARGV ttlMs, limit, blockMs. Returns {hits, ttlMs, blocked, blockMs}.
 */
export const THROTTLE_SCRIPT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1]), 1, blocked}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}
`;

/**
 * One recipient: a cooldown between sends, a cap per rolling window from all clients together and a
 * smaller one per client (a log of send times each), so that one client cannot spend the
 * recipient's whole cap and keep its owner from getting a code.
 * KEYS[1] cooldown, KEYS[2] send log, KEYS[3] the client's send log; ARGV cooldownMs, limit,
 * windowMs, member, clientLimit.
 * Returns {0} when the send may go, else {1, retryAfterMs} (cooldown), {2, retryAfterMs} (cap) or
 * {3, retryAfterMs} (the client's cap).
 */
export const RECIPIENT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cooldown = tonumber(ARGV[1])
if cooldown > 0 then
  local left = redis.call('PTTL', KEYS[1])
  if left > 0 then return {1, left} end
end
local window = tonumber(ARGV[3])
local caps = {{KEYS[3], tonumber(ARGV[5]), 3}, {KEYS[2], tonumber(ARGV[2]), 2}}
for _, cap in ipairs(caps) do
  redis.call('ZREMRANGEBYSCORE', cap[1], '-inf', now - window)
  if redis.call('ZCARD', cap[1]) >= cap[2] then
    local oldest = redis.call('ZRANGE', cap[1], 0, 0, 'WITHSCORES')
    return {cap[3], math.max(1, tonumber(oldest[2]) + window - now)}
  end
end
for _, cap in ipairs(caps) do
  redis.call('ZADD', cap[1], now, ARGV[4])
  redis.call('PEXPIRE', cap[1], window)
end
if cooldown > 0 then redis.call('SET', KEYS[1], '1', 'PX', cooldown) end
return {0}
`;

/**
 * One number prefix: how many distinct numbers under it got codes in a rolling window (a set of
 * number digests scored by their last send). A number already in the set may always get another
 * (the per-recipient limits handle it); a new one is refused once the set is full.
 * KEYS[1] set; ARGV limit, windowMs, member. Returns {0} when the send may go, else {1, retryAfterMs}.
 */
export const PREFIX_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {1, math.max(1, tonumber(oldest[2]) + window - now)}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {0}
`;

/**
 * A project's message budget for one channel: a fixed window counter.
 * KEYS[1] counter; ARGV limit, windowMs. Returns {used, ttlMs}; used > limit means refused, and
 * used == limit + 1 marks the first refusal of the window (the one that raises the alert).
 */
export const BUDGET_SCRIPT = `
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {used, redis.call('PTTL', KEYS[1])}
`;
