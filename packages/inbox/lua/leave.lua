-- leave: a consumer that stops gracefully (its batch already acknowledged with take, max 0) gives
-- back what was handed to it and unregisters, so nothing waits for a reclaim.
--
-- KEYS[1]  inbox:<name>
-- KEYS[2]  {inbox:<name>}:handoff:<consumer>
-- KEYS[3]  {inbox:<name>}:owners
-- KEYS[4]  {inbox:<name>}:consumers
-- KEYS[5]  {inbox:<name>}:processing:<consumer>
-- KEYS[6]  {inbox:<name>}:takes
-- ARGV[1]  consumer id
-- Returns the number of messages given back.
--
-- Handed-off messages are older than everything in the inbox, so they go back on its pop end
-- (right), oldest last pushed, and the partitions are released in the same step: whichever
-- consumer pops them next owns them, and order is kept.

local me = ARGV[1]
if not redis.call('ZSCORE', KEYS[4], me) then return 0 end
local msgs = redis.call('LRANGE', KEYS[5], 0, -1)
local handed = redis.call('LRANGE', KEYS[2], 0, -1)
for _, m in ipairs(handed) do msgs[#msgs + 1] = m end
for i = #msgs, 1, -1 do
  redis.call('RPUSH', KEYS[1], msgs[i])
end
local owners = redis.call('HGETALL', KEYS[3])
local prefix = me .. '|'
for i = 1, #owners, 2 do
  if string.sub(owners[i + 1], 1, #prefix) == prefix then redis.call('HDEL', KEYS[3], owners[i]) end
end
redis.call('DEL', KEYS[2], KEYS[5])
redis.call('ZREM', KEYS[4], me)
redis.call('HDEL', KEYS[6], me)
return #msgs
