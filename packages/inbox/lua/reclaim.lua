-- reclaim: take over the messages of consumers that died (their registration ran out, or a consumer
-- with the same stable name restarted), so none is lost and each user's order is kept.
--
-- KEYS[1]  {inbox:<name>}:consumers   consumer -> registration deadline (ms)
-- KEYS[2]  {inbox:<name>}:owners      partition -> '<consumer>|<unacked messages>'
-- KEYS[3]  {inbox:<name>}:takes       consumer -> sequence number of its last take
-- ARGV[1]  key prefix {inbox:<name>}:
-- ARGV[2]  the reclaiming consumer's id
-- ARGV[3]  stable-name prefix ('<name>@') whose other incarnations are dead for sure, or ''
-- Returns { consumers reclaimed, messages moved, partition, partition, … } (the partitions the dead
-- consumers owned, now the caller's), or { -1, 0 } when the caller is not registered.
--
-- A dead consumer's batch in hand (processing) and then its handoff list are appended, in that
-- order, to the reclaimer's handoff list, and its partitions become the reclaimer's: their
-- messages are older than anything still in the inbox, and the reclaimer takes its handoff first.

local me = ARGV[2]
local prefix = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- A consumer that is itself no longer registered was presumed dead: it may not take over anything.
if not redis.call('ZSCORE', KEYS[1], me) then return { -1, 0 } end

local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now, 'LIMIT', 0, 100)
if ARGV[3] ~= '' then
  local all = redis.call('ZRANGE', KEYS[1], 0, -1)
  for _, c in ipairs(all) do
    if c ~= me and string.sub(c, 1, #ARGV[3]) == ARGV[3] then dead[#dead + 1] = c end
  end
end

local isDead = {}
local consumers, moved = 0, 0
local mine = prefix .. 'handoff:' .. me
for _, c in ipairs(dead) do
  if c ~= me and not isDead[c] then
    isDead[c] = true
    consumers = consumers + 1
    for _, list in ipairs({ prefix .. 'processing:' .. c, prefix .. 'handoff:' .. c }) do
      local msgs = redis.call('LRANGE', list, 0, -1)
      for i = 1, #msgs, 1000 do
        redis.call('RPUSH', mine, unpack(msgs, i, math.min(i + 999, #msgs)))
      end
      moved = moved + #msgs
      redis.call('DEL', list)
    end
    redis.call('ZREM', KEYS[1], c)
    redis.call('HDEL', KEYS[3], c)
  end
end

-- Only partitions with messages in flight (or sticky ones) are in the hash, so this scan is short.
local out = { consumers, moved }
if consumers > 0 then
  local owners = redis.call('HGETALL', KEYS[2])
  for i = 1, #owners, 2 do
    local v = owners[i + 1]
    local bar = string.find(v, '|', 1, true)
    if isDead[string.sub(v, 1, bar - 1)] then
      redis.call('HSET', KEYS[2], owners[i], me .. string.sub(v, bar))
      out[#out + 1] = owners[i]
    end
  end
end
return out
