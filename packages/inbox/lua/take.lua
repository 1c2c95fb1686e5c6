-- take: acknowledge the batch in hand, then take the next one, keeping each user's messages in order.
--
-- KEYS[1]  inbox:<name>                          the inbox list (producers LPUSH, we pop the right end)
-- KEYS[2]  {inbox:<name>}:processing:<consumer>  this consumer's batch in hand
-- KEYS[3]  {inbox:<name>}:handoff:<consumer>     messages other consumers routed to this one
-- KEYS[4]  {inbox:<name>}:owners                 partition -> consumer holding its unacked messages
-- KEYS[5]  {inbox:<name>}:pending                partition -> number of its unacked messages
-- KEYS[6]  {inbox:<name>}:owned:<consumer>       partitions this consumer owns
-- KEYS[7]  {inbox:<name>}:consumers              consumer -> registration deadline (ms)
-- ARGV[1]  consumer id
-- ARGV[2]  how many messages to take at most (0: only acknowledge)
-- ARGV[3]  key prefix {inbox:<name>}: (to reach other consumers' handoff lists)
-- ARGV[4]  registration lifetime in ms (renewed here)
-- ARGV[5..] the acknowledged batch as pairs: partition, count
-- Returns { 'OK', msg1, partition1, msg2, partition2, ... } or { 'FENCED' } when this consumer was
-- presumed dead and its messages were taken over by another: then nothing is changed.
--
-- A message's partition is its top-level userId. While a consumer holds unacked messages of a
-- partition it owns it, and every later message of that partition is routed to it, so two
-- consumers never work on one user at once and each user's messages are handled in push order.

local me = ARGV[1]
if not redis.call('ZSCORE', KEYS[7], me) then return { 'FENCED' } end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[7], now + tonumber(ARGV[4]), me)

-- acknowledge
for i = 5, #ARGV, 2 do
  local p = ARGV[i]
  if redis.call('HGET', KEYS[4], p) == me then
    local left = redis.call('HINCRBY', KEYS[5], p, -tonumber(ARGV[i + 1]))
    if left <= 0 then
      redis.call('HDEL', KEYS[5], p)
      redis.call('HDEL', KEYS[4], p)
      redis.call('SREM', KEYS[6], p)
    end
  end
end
redis.call('DEL', KEYS[2])

local max = tonumber(ARGV[2])
local out = { 'OK' }
if max <= 0 then return out end

local function partition(msg)
  local ok, obj = pcall(cjson.decode, msg)
  if ok and type(obj) == 'table' then
    local u = obj['userId']
    if type(u) == 'number' then return string.format('%d', u) end
    if type(u) == 'string' and #u > 0 and #u <= 64 then return u end
  end
  return ''
end

local taken = 0
-- Messages handed to us are older than anything still in the inbox: they come first.
local handed = redis.call('LRANGE', KEYS[3], 0, max - 1)
if #handed > 0 then
  redis.call('LTRIM', KEYS[3], #handed, -1)
  for _, msg in ipairs(handed) do
    redis.call('RPUSH', KEYS[2], msg)
    out[#out + 1] = msg
    out[#out + 1] = partition(msg)
  end
  taken = #handed
end

if taken < max then
  local popped = redis.call('RPOP', KEYS[1], max - taken)
  if popped then
    for _, msg in ipairs(popped) do
      local p = partition(msg)
      local mine = true
      if p ~= '' then
        local owner = redis.call('HGET', KEYS[4], p)
        if not owner then
          redis.call('HSET', KEYS[4], p, me)
          redis.call('SADD', KEYS[6], p)
        elseif owner ~= me then
          redis.call('RPUSH', ARGV[3] .. 'handoff:' .. owner, msg)
          mine = false
        end
        redis.call('HINCRBY', KEYS[5], p, 1)
      end
      if mine then
        redis.call('RPUSH', KEYS[2], msg)
        out[#out + 1] = msg
        out[#out + 1] = p
      end
    end
  end
end
return out
