/**
 * Redis scripts for OTP challenges. One key per (project, login ID) holds the current challenge,
 * whatever its purpose and channel, so issuing a new code replaces (kills) every earlier one in one
 * atomic step. The challenge lists the channels it went over (`ch`, comma-delimited: the channel it
 * was issued for first, then the fallback channels the worker added).
 */

/**
 * Issuing as a Lua function, so that a script checking the send limits can issue in the same step
 * (rate-limit.lua.ts). keys[1] challenge; argv id, hash, purpose, expiresAtMs, maxAttempts, context,
 * ttlMs, channel.
 */
export const ISSUE_STEP = `
local function issue(keys, argv)
  redis.call('DEL', keys[1])
  redis.call('HSET', keys[1], 'id', argv[1], 'h', argv[2], 'p', argv[3], 'exp', argv[4], 'max', argv[5], 'ctx', argv[6], 'ch', ',' .. argv[8] .. ',')
  redis.call('PEXPIRE', keys[1], argv[7])
  return 1
end
`;

/** ISSUE_STEP alone: KEYS[1] challenge; ARGV as ISSUE_STEP's. */
export const ISSUE_SCRIPT = `${ISSUE_STEP}
return issue(KEYS, ARGV)
`;

/**
 * Adds a channel that a delivery fell back to, if the challenge is still the one the delivery was
 * for (a newer code has replaced it otherwise). KEYS[1] challenge; ARGV id, channel.
 */
export const ALLOW_CHANNEL_SCRIPT = `
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
local ch = redis.call('HGET', KEYS[1], 'ch')
if not string.find(ch, ',' .. ARGV[2] .. ',', 1, true) then redis.call('HSET', KEYS[1], 'ch', ch .. ARGV[2] .. ',') end
return 1
`;

/**
 * Spends one attempt before the code is compared, so that parallel guesses can never compare more
 * than maxAttempts times per client. Wrong attempts are counted per client (IP, IPv6 /64), so a
 * stranger's guesses kill the code for the stranger only, and logged in two rolling windows that a
 * new code does not reset: per (login ID, client) (KEYS[3], a small budget that stops one client)
 * and per login ID (KEYS[2], a larger one that bounds the guesses of all clients together). A
 * client over either budget is refused before anything is spent. CONSUME takes a right code's
 * attempt back. A challenge that did not go over the verify's channel is as good as missing:
 * nothing is spent or compared. KEYS[1] challenge, KEYS[2] login-ID log, KEYS[3] (login ID,
 * client) log; ARGV loginIdLimit, clientLimit, windowMs, client, channel.
 * Returns {status, id, hash, purpose, context, attemptMember, channels} or {'throttled', retryAfterMs, scope}.
 */
export const ATTEMPT_SCRIPT = `
local field = 'a:' .. ARGV[4]
local r = redis.call('HMGET', KEYS[1], 'id', 'h', 'exp', field, 'max', 'p', 'ctx', 'ch')
if not r[1] then return {'missing'} end
if not string.find(r[8], ',' .. ARGV[5] .. ',', 1, true) then return {'missing'} end
if tonumber(r[4] or '0') >= tonumber(r[5]) then return {'locked'} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(r[3]) then return {'expired'} end
local window = tonumber(ARGV[3])
local budgets = {{KEYS[3], tonumber(ARGV[2]), 'client'}, {KEYS[2], tonumber(ARGV[1]), 'login'}}
for _, budget in ipairs(budgets) do
  redis.call('ZREMRANGEBYSCORE', budget[1], '-inf', now - window)
  if redis.call('ZCARD', budget[1]) >= budget[2] then
    local oldest = redis.call('ZRANGE', budget[1], 0, 0, 'WITHSCORES')
    return {'throttled', tostring(math.max(1, tonumber(oldest[2]) + window - now)), budget[3]}
  end
end
local att = redis.call('HINCRBY', KEYS[1], field, 1)
local member = r[1] .. ':' .. ARGV[4] .. ':' .. att
for _, budget in ipairs(budgets) do
  redis.call('ZADD', budget[1], now, member)
  redis.call('PEXPIRE', budget[1], window)
end
return {'ok', r[1], r[2], r[6], r[7], member, r[8]}
`;

/**
 * Deletes the challenge only if it is still the one that was checked: exactly one verify wins. The
 * right code's attempt leaves both wrong-attempt logs. KEYS[1] challenge, KEYS[2] login-ID log,
 * KEYS[3] (login ID, client) log; ARGV id, attemptMember.
 */
export const CONSUME_SCRIPT = `
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  redis.call('ZREM', KEYS[3], ARGV[2])
  return 1
end
return 0
`;
