import { ISSUE_STEP } from '../otp/otp-store.lua.js';

/**
 * Redis scripts for the rate limits. Each check is atomic, so concurrent requests in many API
 * processes count exactly; every key of one check shares a hash tag, so each runs on Redis Cluster.
 * On a single Redis, SEND_SCRIPT runs a send's checks and its challenge in one round trip instead.
 * Time comes from Redis (TIME), so API clocks that disagree cannot widen a window.
 */

/**
 * Fixed-window counters with a block, for @nestjs/throttler: every throttler of a request in one
 * step, in order, stopping at the first that blocks, as they would count one after another.
 * KEYS hits and block of each throttler; ARGV ttlMs, limit, blockMs of each. Returns
 * {hits, ttlMs, blocked, blockMs} of each throttler counted, the last one the blocking one if any.
 */
export const THROTTLE_SCRIPT = `
local out = {}
for i = 1, #KEYS / 2 do
  local hitsKey, blockKey = KEYS[2 * i - 1], KEYS[2 * i]
  local ttlMs, limit, blockMs = ARGV[3 * i - 2], tonumber(ARGV[3 * i - 1]), ARGV[3 * i]
  local blocked = redis.call('PTTL', blockKey)
  if blocked > 0 then
    for _, v in ipairs({tonumber(redis.call('GET', hitsKey) or '0'), redis.call('PTTL', hitsKey), 1, blocked}) do out[#out + 1] = v end
    return out
  end
  local hits = redis.call('INCR', hitsKey)
  if hits == 1 then redis.call('PEXPIRE', hitsKey, ttlMs) end
  local ttl = redis.call('PTTL', hitsKey)
  if hits > limit then
    redis.call('SET', blockKey, '1', 'PX', blockMs)
    for _, v in ipairs({hits, ttl, 1, tonumber(blockMs)}) do out[#out + 1] = v end
    return out
  end
  for _, v in ipairs({hits, ttl, 0, 0}) do out[#out + 1] = v end
end
return out
`;

/** Milliseconds by Redis's clock. */
const NOW_STEP = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * One recipient: a cooldown between sends, a cap per rolling window from all clients together and a
 * smaller one per client (a log of send times each), so that one client cannot spend the
 * recipient's whole cap and keep its owner from getting a code.
 * keys[1] cooldown, keys[2] send log, keys[3] the client's send log; argv cooldownMs, limit,
 * windowMs, member, clientLimit.
 * Returns {0} when the send may go, else {1, retryAfterMs} (cooldown), {2, retryAfterMs} (cap) or
 * {3, retryAfterMs} (the client's cap).
 */
const RECIPIENT_STEP = `
local function recipient(keys, argv)
  local now = now_ms()
  local cooldown = tonumber(argv[1])
  if cooldown > 0 then
    local left = redis.call('PTTL', keys[1])
    if left > 0 then return {1, left} end
  end
  local window = tonumber(argv[3])
  local caps = {{keys[3], tonumber(argv[5]), 3}, {keys[2], tonumber(argv[2]), 2}}
  for _, cap in ipairs(caps) do
    redis.call('ZREMRANGEBYSCORE', cap[1], '-inf', now - window)
    if redis.call('ZCARD', cap[1]) >= cap[2] then
      local oldest = redis.call('ZRANGE', cap[1], 0, 0, 'WITHSCORES')
      return {cap[3], math.max(1, tonumber(oldest[2]) + window - now)}
    end
  end
  for _, cap in ipairs(caps) do
    redis.call('ZADD', cap[1], now, argv[4])
    redis.call('PEXPIRE', cap[1], window)
  end
  if cooldown > 0 then redis.call('SET', keys[1], '1', 'PX', cooldown) end
  return {0}
end
`;

/**
 * One number prefix: how many distinct numbers under it got codes in a rolling window (a set of
 * number digests scored by their last send). A number already in the set may always get another
 * (the per-recipient limits handle it); a new one is refused once the set is full.
 * keys[1] set; argv limit, windowMs, member. Returns {0} when the send may go, else {1, retryAfterMs}.
 */
const PREFIX_STEP = `
local function prefix(keys, argv)
  local now = now_ms()
  local window = tonumber(argv[2])
  redis.call('ZREMRANGEBYSCORE', keys[1], '-inf', now - window)
  if not redis.call('ZSCORE', keys[1], argv[3]) and redis.call('ZCARD', keys[1]) >= tonumber(argv[1]) then
    local oldest = redis.call('ZRANGE', keys[1], 0, 0, 'WITHSCORES')
    return {1, math.max(1, tonumber(oldest[2]) + window - now)}
  end
  redis.call('ZADD', keys[1], now, argv[3])
  redis.call('PEXPIRE', keys[1], window)
  return {0}
end
`;

/**
 * A project's message budget for one channel: a fixed window counter.
 * keys[1] counter; argv limit, windowMs. Returns {used, ttlMs}; used > limit means refused, and
 * used == limit + 1 marks the first refusal of the window (the one that raises the alert).
 */
const BUDGET_STEP = `
local function budget(keys, argv)
  local used = redis.call('INCR', keys[1])
  if used == 1 then redis.call('PEXPIRE', keys[1], argv[2]) end
  return {used, redis.call('PTTL', keys[1])}
end
`;

/** Each step alone, with its keys and arguments as KEYS and ARGV: for Redis Cluster, where a send's steps live in different slots. */
export const RECIPIENT_SCRIPT = `${NOW_STEP}${RECIPIENT_STEP}
return recipient(KEYS, ARGV)
`;
export const PREFIX_SCRIPT = `${NOW_STEP}${PREFIX_STEP}
return prefix(KEYS, ARGV)
`;
export const BUDGET_SCRIPT = `${BUDGET_STEP}
return budget(KEYS, ARGV)
`;

/**
 * A whole send in one step on a single Redis: the prefix velocity (when ARGV[1] holds 'p'), the
 * recipient's limits, the project's budget (when ARGV[1] holds 'b'), then the challenge, each only
 * if every earlier one let the send go, as the steps run one after the other on Redis Cluster. So a
 * refused recipient charges no budget, and a refused send leaves the live challenge alone.
 * KEYS and ARGV[2..] are those of the steps that run, in that order. Returns {'sent'}, or the step that
 * refused: {'prefix', retryAfterMs}, {'recipient', 1 | 2 | 3, retryAfterMs} (as RECIPIENT_STEP) or
 * {'budget', used, ttlMs}.
 */
export const SEND_SCRIPT = `${NOW_STEP}${PREFIX_STEP}${RECIPIENT_STEP}${BUDGET_STEP}${ISSUE_STEP}
local steps = ARGV[1]
local k, a = 1, 2
local function take(nk, na)
  local keys, argv = {}, {}
  for i = 1, nk do keys[i] = KEYS[k + i - 1] end
  for i = 1, na do argv[i] = ARGV[a + i - 1] end
  k = k + nk
  a = a + na
  return keys, argv
end
if string.find(steps, 'p', 1, true) then
  local r = prefix(take(1, 3))
  if r[1] ~= 0 then return {'prefix', r[2]} end
end
local r = recipient(take(3, 5))
if r[1] ~= 0 then return {'recipient', r[1], r[2]} end
if string.find(steps, 'b', 1, true) then
  local keys, argv = take(1, 2)
  local b = budget(keys, argv)
  if b[1] > tonumber(argv[1]) then return {'budget', b[1], b[2]} end
end
issue(take(1, 8))
return {'sent'}
`;
