-- take: acknowledge the batch in hand, then take the next one, keeping each user's messages in order.
--
-- KEYS[1]  inbox:<name>                          the inbox list (producers LPUSH, we pop the right end)
-- KEYS[2]  {inbox:<name>}:processing:<consumer>  this consumer's batch in hand
-- KEYS[3]  {inbox:<name>}:handoff:<consumer>     messages other consumers routed to this one
-- KEYS[4]  {inbox:<name>}:owners                 partition -> '<consumer>|<unacked messages>'
-- KEYS[5]  {inbox:<name>}:consumers              consumer -> registration deadline (ms)
-- KEYS[6]  {inbox:<name>}:takes                  consumer -> sequence number of its last take
-- ARGV[1]  consumer id
-- ARGV[2]  how many messages to take at most (0: only acknowledge)
-- ARGV[3]  key prefix {inbox:<name>}: (to reach other consumers' handoff lists)
-- ARGV[4]  registration lifetime in ms (renewed here)
-- ARGV[5]  this take's sequence number (one more than the last take's)
-- ARGV[6]  '1': sticky partitions (a partition stays this consumer's when its messages are all
--          acknowledged, until the consumer leaves or is reclaimed: connection-manager, whose
--          users' sockets live in the consumer that took them); '0': released when acknowledged
-- ARGV[7..] the acknowledged batch as pairs: partition, count
-- Returns { 'OK', msg1, partition1, msg2, partition2, ... } or { 'FENCED' } when this consumer was
-- presumed dead and its messages were taken over by another: then nothing is changed.
--
-- Sent again with the same sequence number (the client resends a command whose reply was lost
-- in a reconnect, or the consumer retries after an error), it answers with the batch in hand and
-- changes nothing: acknowledging twice or dropping the batch taken the first time would lose it.
--
-- A message's partition is its top-level userId. While a consumer holds unacked messages of a
-- partition it owns it, and every later message of that partition is routed to it, so two
-- consumers never work on one user at once and each user's messages are handled in push order.
-- The bookkeeping is per partition, not per message: one HMGET and one HSET/HDEL per batch.
-- A sticky partition keeps its owner at '<consumer>|0'.

local me = ARGV[1]
if not redis.call('ZSCORE', KEYS[5], me) then return { 'FENCED' } end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[5], now + tonumber(ARGV[4]), me)

local function partition(msg)
  local ok, obj = pcall(cjson.decode, msg)
  if ok and type(obj) == 'table' then
    local u = obj['userId']
    if type(u) == 'number' and u == math.floor(u) and math.abs(u) < 2^53 then return string.format('%d', u) end
    if type(u) == 'string' and #u > 0 and #u <= 64 then return u end
  end
  return ''
end

local out = { 'OK' }
if redis.call('HGET', KEYS[6], me) == ARGV[5] then
  for _, msg in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
    out[#out + 1] = msg
    out[#out + 1] = partition(msg)
  end
  return out
end
redis.call('HSET', KEYS[6], me, ARGV[5])

local function split(v)
  local bar = string.find(v, '|', 1, true)
  return string.sub(v, 1, bar - 1), tonumber(string.sub(v, bar + 1))
end

-- acknowledge
local sticky = ARGV[6] == '1'
if #ARGV >= 7 then
  local parts, counts = {}, {}
  for i = 7, #ARGV, 2 do
    parts[#parts + 1] = ARGV[i]
    counts[#counts + 1] = tonumber(ARGV[i + 1])
  end
  local values = redis.call('HMGET', KEYS[4], unpack(parts))
  local gone, kept = {}, {}
  for i, p in ipairs(parts) do
    if values[i] then
      local owner, n = split(values[i])
      if owner == me then
        n = n - counts[i]
        if n <= 0 and not sticky then
          gone[#gone + 1] = p
        elseif n <= 0 then
          kept[#kept + 1] = p
          kept[#kept + 1] = me .. '|0'
        else
          kept[#kept + 1] = p
          kept[#kept + 1] = me .. '|' .. n
        end
      end
    end
  end
  if #gone > 0 then redis.call('HDEL', KEYS[4], unpack(gone)) end
  if #kept > 0 then redis.call('HSET', KEYS[4], unpack(kept)) end
end
redis.call('DEL', KEYS[2])

local max = tonumber(ARGV[2])
if max <= 0 then return out end

local mine = {}
-- Messages handed to us are older than anything still in the inbox: they come first. They were
-- counted for us when they were handed over.
local handed = redis.call('LRANGE', KEYS[3], 0, max - 1)
if #handed > 0 then
  redis.call('LTRIM', KEYS[3], #handed, -1)
  for _, msg in ipairs(handed) do
    mine[#mine + 1] = msg
    out[#out + 1] = msg
    out[#out + 1] = partition(msg)
  end
end

if #handed < max then
  local popped = redis.call('RPOP', KEYS[1], max - #handed)
  if popped then
    local parts, order = {}, {}
    for i, msg in ipairs(popped) do
      local p = partition(msg)
      parts[i] = p
      if p ~= '' and not order[p] then
        order[p] = #order + 1
        order[#order + 1] = p
      end
    end
    -- Current owner and count of every partition in this batch, in one call.
    local owner, count = {}, {}
    if #order > 0 then
      local values = redis.call('HMGET', KEYS[4], unpack(order))
      for i, p in ipairs(order) do
        if values[i] then
          owner[p], count[p] = split(values[i])
        else
          owner[p], count[p] = me, 0
        end
      end
    end
    local handoff = {}
    for i, msg in ipairs(popped) do
      local p = parts[i]
      if p == '' or owner[p] == me then
        if p ~= '' then count[p] = count[p] + 1 end
        mine[#mine + 1] = msg
        out[#out + 1] = msg
        out[#out + 1] = p
      else
        count[p] = count[p] + 1
        local o = owner[p]
        if not handoff[o] then handoff[o] = {} end
        handoff[o][#handoff[o] + 1] = msg
      end
    end
    if #order > 0 then
      local fields = {}
      for _, p in ipairs(order) do
        fields[#fields + 1] = p
        fields[#fields + 1] = owner[p] .. '|' .. count[p]
      end
      redis.call('HSET', KEYS[4], unpack(fields))
    end
    for o, msgs in pairs(handoff) do
      redis.call('RPUSH', ARGV[3] .. 'handoff:' .. o, unpack(msgs))
    end
  end
end
if #mine > 0 then redis.call('RPUSH', KEYS[2], unpack(mine)) end
return out
