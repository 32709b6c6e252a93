/**
 * Redis scripts for OTP challenges. One key per (project, login ID) holds the current challenge,
 * whatever its purpose and channel, so issuing a new code replaces (kills) every earlier one in one
 * atomic step. The challenge lists the channels it went over (`ch`, comma-delimited: the channel it
 * was issued for first, then the fallback channels the worker added).
 */

/** KEYS[1] challenge; ARGV id, hash, purpose, expiresAtMs, maxAttempts, context, ttlMs, channel. */
export const ISSUE_SCRIPT = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'h', ARGV[2], 'p', ARGV[3], 'exp', ARGV[4], 'att', 0, 'max', ARGV[5], 'ctx', ARGV[6], 'ch', ',' .. ARGV[8] .. ',')
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return 1
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
 * than maxAttempts times. The attempt is also logged per login ID (KEYS[2], a rolling window that
 * a new code does not reset); CONSUME takes it back when the code was right. A challenge that did
 * not go over the verify's channel is as good as missing: nothing is spent or compared.
 * KEYS[1] challenge, KEYS[2] login-ID attempt log; ARGV limit, windowMs, channel.
 * Returns {status, id, hash, purpose, context, attemptMember, channels} or {'throttled', retryAfterMs}.
 */
export const ATTEMPT_SCRIPT = `
local r = redis.call('HMGET', KEYS[1], 'id', 'h', 'exp', 'att', 'max', 'p', 'ctx', 'ch')
if not r[1] then return {'missing'} end
if not string.find(r[8], ',' .. ARGV[3] .. ',', 1, true) then return {'missing'} end
if tonumber(r[4]) >= tonumber(r[5]) then return {'locked'} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(r[3]) then return {'expired'} end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {'throttled', tostring(math.max(1, tonumber(oldest[2]) + window - now))}
end
local att = redis.call('HINCRBY', KEYS[1], 'att', 1)
local member = r[1] .. ':' .. att
redis.call('ZADD', KEYS[2], now, member)
redis.call('PEXPIRE', KEYS[2], window)
return {'ok', r[1], r[2], r[6], r[7], member, r[8]}
`;

/**
 * Deletes the challenge only if it is still the one that was checked: exactly one verify wins. The
 * right code's attempt leaves the login ID's wrong-attempt log. KEYS[1] challenge, KEYS[2] log;
 * ARGV id, attemptMember.
 */
export const CONSUME_SCRIPT = `
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 1
end
return 0
`;
