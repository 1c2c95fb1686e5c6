-- ack-outbox: drop the entries a client has acknowledged (seq up to ARGV[1]).
--
-- KEYS[1]  outbox:<userId>:<sessionId>
-- KEYS[2]  session:<userId>:<sessionId>
-- ARGV[1]  seq
-- Returns { how many entries were dropped, the offline score the ack delivers or '' }: when the
-- ack covers the init burst that carried offline direct messages (complete-init.lua's
-- `offlineAck` = '<burst end>:<score>'), the marker goes and its score is returned, once.
local seq = tonumber(ARGV[1])
local offline = ''
local marker = redis.call('HGET', KEYS[2], 'offlineAck')
if marker then
  local burst_end, up_to = string.match(marker, '^(%d+):(.+)$')
  if burst_end and seq >= tonumber(burst_end) then
    redis.call('HDEL', KEYS[2], 'offlineAck')
    offline = up_to
  end
end
local first = redis.call('LINDEX', KEYS[1], 0)
if not first then return { 0, offline } end
local n = seq - tonumber(string.match(first, '^{"seq":(%d+)')) + 1
if n <= 0 then return { 0, offline } end
redis.call('LTRIM', KEYS[1], n, -1)
return { n, offline }
