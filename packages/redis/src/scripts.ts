/**
 * The Lua scripts. Each runs atomically in Redis, which is what makes offsets, epochs, the
 * append and the PUBLISH one step (G1/G2 across nodes): no node can publish offset n+1 before
 * offset n has been appended and fanned out.
 */

/**
 * Shared prelude: make sure the stream of KEYS[1] (meta) / KEYS[2] (stream) exists and return
 * its epoch. A new epoch is taken from `candidate` when:
 * - the meta hash is missing (never created, expired, removed, or Redis restarted empty);
 * - the stream vanished under a meta that says it had publications (evicted separately);
 * - the stream was written by another Redis process (run_id changed: a restart that reloaded
 *   AOF/RDB, or a failover to a replica) and `trust` is '0'. Such a reload may have lost the last
 *   acknowledged appends (appendfsync everysec, async replication); the offsets after it would be
 *   handed out again to different publications, and a client holding one of them would "recover"
 *   across a hole. Only with `trust` = '1' (durableRedis: fsync always, no failover loss) is the
 *   epoch kept across a restart.
 * Either way old positions then get recovered:false, never a silent gap (G2).
 */
const ENSURE_STREAM = `
local function redis_run()
  return string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
end
local function ensure_stream(meta, stream, candidate, ttl, trust)
  local run = redis_run()
  local epoch = redis.call('HGET', meta, 'epoch')
  if epoch then
    local top = tonumber(redis.call('HGET', meta, 'top') or '0')
    if top > 0 and redis.call('EXISTS', stream) == 0 then epoch = false end
  end
  if epoch and redis.call('HGET', meta, 'run') ~= run then
    if trust == '1' then redis.call('HSET', meta, 'run', run) else epoch = false end
  end
  if not epoch then
    redis.call('DEL', stream)
    redis.call('HSET', meta, 'epoch', candidate, 'top', 0, 'run', run)
    redis.call('PEXPIRE', meta, ttl)
    epoch = candidate
  end
  return epoch
end
`

/**
 * KEYS: meta, stream, idempotency key (unused when ARGV[6] = '0').
 * ARGV: pubsub channel, body JSON, history size ('0' = no history), history ttl ms,
 *       epoch candidate, idempotency ttl ms ('0' = no key), trust ('1' = durableRedis).
 * Returns {duplicate 0|1, "epoch:offset" or ""}.
 */
export const PUBLISH_SCRIPT = `${ENSURE_STREAM}
local idem_ttl = ARGV[6]
if idem_ttl ~= '0' then
  local first = redis.call('GET', KEYS[3])
  if first then return {1, first} end
end
local result = ''
local message
if ARGV[3] ~= '0' then
  local epoch = ensure_stream(KEYS[1], KEYS[2], ARGV[5], ARGV[4], ARGV[7])
  local offset = string.format('%d', redis.call('HINCRBY', KEYS[1], 'top', 1))
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], offset .. '-0', 'b', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  result = epoch .. ':' .. offset
  message = '{"t":"p","e":"' .. epoch .. '","o":' .. offset .. ',"b":' .. ARGV[2] .. '}'
else
  message = '{"t":"p","b":' .. ARGV[2] .. '}'
end
redis.call('PUBLISH', ARGV[1], message)
if idem_ttl ~= '0' then redis.call('SET', KEYS[3], result, 'PX', idem_ttl) end
return {0, result}
`

/**
 * KEYS: meta, stream. ARGV: epoch candidate, ttl ms, since epoch ('' = none), since offset,
 * limit ('' = all retained, '0' = none: just the position), trust ('1' = durableRedis). With a `since` in the current epoch: the oldest `limit` after it;
 * otherwise the latest `limit`.
 * Returns {epoch, top, firstOffset, {id, body, id, body, ...}}.
 */
export const HISTORY_SCRIPT = `${ENSURE_STREAM}
local epoch = ensure_stream(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[6])
local top = tonumber(redis.call('HGET', KEYS[1], 'top') or '0')
local first = top + 1
local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if oldest[1] then first = tonumber(string.match(oldest[1][1], '^(%d+)')) end
local flat = {}
local entries
local limit = ARGV[5]
if limit == '0' then
  -- Position only (a subscribe without since): do not read the stream at all.
  entries = {}
elseif ARGV[3] ~= '' and ARGV[3] == epoch then
  -- A usable position: the oldest 'limit' after it.
  local start = string.format('%d', tonumber(ARGV[4]) + 1) .. '-0'
  if limit ~= '' then
    entries = redis.call('XRANGE', KEYS[2], start, '+', 'COUNT', limit)
  else
    entries = redis.call('XRANGE', KEYS[2], start, '+')
  end
elseif limit ~= '' then
  -- No usable position: the latest 'limit', returned oldest first (as the memory engine does).
  local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', limit)
  entries = {}
  for i = #newest, 1, -1 do entries[#entries + 1] = newest[i] end
else
  entries = redis.call('XRANGE', KEYS[2], '-', '+')
end
for _, entry in ipairs(entries) do
  flat[#flat + 1] = entry[1]
  flat[#flat + 1] = entry[2][2]
end
return {epoch, top, first, flat}
`

/** Presence time is Redis's clock, so nodes with skewed clocks agree on who expired. */
const REDIS_NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

/** KEYS: expiry zset, data hash. ARGV: client, member JSON, ttl ms. Returns 1 if the client was not a live member. */
export const PRESENCE_ADD_SCRIPT = `${REDIS_NOW}
local ttl = tonumber(ARGV[3])
-- 1 when the client was not a live member (absent, or its time was up), 0 for a refresh.
local previous = redis.call('ZSCORE', KEYS[1], ARGV[1])
local fresh = 1
if previous and tonumber(previous) > now then fresh = 0 end
redis.call('ZADD', KEYS[1], string.format('%.0f', now + ttl), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
-- The keys live as long as their longest-lived member, so an abandoned channel cleans itself up.
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return fresh
`

/** KEYS: expiry zset, data hash. ARGV: client. */
export const PRESENCE_REMOVE_SCRIPT = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`

/**
 * KEYS: expiry zset, data hash. Removes the members whose time is up and returns
 * {expired member JSONs, live member JSONs}. Only the caller whose ZREM removed a member gets it
 * in `expired`, so each expiry is reported (and turned into a leave) by exactly one node.
 */
export const PRESENCE_LIST_SCRIPT = `${REDIS_NOW}
local expired = {}
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))
for _, client in ipairs(gone) do
  local data = redis.call('HGET', KEYS[2], client)
  redis.call('ZREM', KEYS[1], client)
  redis.call('HDEL', KEYS[2], client)
  if data then expired[#expired + 1] = data end
end
local live = {}
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%.0f', now), '+inf')
-- HMGET in chunks: unpack() of a very long list overflows Lua's C stack.
for i = 1, #members, 500 do
  local data = redis.call('HMGET', KEYS[2], unpack(members, i, math.min(i + 499, #members)))
  for _, json in ipairs(data) do
    if json then live[#live + 1] = json end
  end
end
return {expired, live}
`
