-- claim-request: check a request's seq against the session and claim it, at most once.
--
-- KEYS[1]  session:<userId>:<sessionId>
-- KEYS[2]  sessionreplies:<userId>:<sessionId>
-- KEYS[3]  sessionlist:<userId>
-- KEYS[4]  sessionlastrequest
-- KEYS[5]  (optional) inbox:<backend>: the envelope goes there in the same step
-- ARGV[1]  seq
-- ARGV[2]  now (ms)
-- ARGV[3]  sessionId
-- ARGV[4]  sessionRef
-- ARGV[5]  how many answers to keep
-- ARGV[6]  the envelope to LPUSH to KEYS[5] ('' when there is no KEYS[5])
-- ARGV[7]  activity resolution (ms): the session's last-activity stamps (its `timeStamp`, and its
--          scores in sessionlist and sessionlastrequest) are moved only when older than this, so
--          a busy session does not rewrite three stamps per request
-- Returns {'CLAIMED'}, {'REPLAY', stored}, {'OLD'} (answered too long ago to be kept),
-- {'GAP', expected seq} or {'GONE'}.
--
-- Claiming and handing the request to its backend are one step: a gateway killed between the two
-- could otherwise leave a claimed request that nobody will ever answer.
local s = redis.call('HMGET', KEYS[1], 'sendRcvNext', 'timeStamp')
if not s[1] then return { 'GONE' } end
local seq = tonumber(ARGV[1])
local expected = tonumber(s[1])
if seq < expected then
  local stored = redis.call('HGET', KEYS[2], ARGV[1])
  if stored then return { 'REPLAY', stored } end
  return { 'OLD' }
end
if seq > expected then return { 'GAP', expected } end
if tonumber(ARGV[2]) - (tonumber(s[2]) or 0) >= tonumber(ARGV[7]) then
  redis.call('HSET', KEYS[1], 'sendRcvNext', seq + 1, 'timeStamp', ARGV[2])
  redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
  redis.call('ZADD', KEYS[4], ARGV[2], ARGV[4])
else
  redis.call('HSET', KEYS[1], 'sendRcvNext', seq + 1)
end
redis.call('HSET', KEYS[2], ARGV[1], 'P' .. ARGV[2])
-- Keep at least the last `keep` answers, pruned 16 at a time (every 16th request drops the 16
-- beyond them); one still being handled stays until its session ends (its gateway is waiting to
-- read it, however many requests came after it).
local keep = tonumber(ARGV[5])
if seq > keep and seq % 16 == 0 then
  local fields = {}
  for f = seq - keep - 15, seq - keep do
    if f >= 1 then fields[#fields + 1] = tostring(f) end
  end
  local values = redis.call('HMGET', KEYS[2], unpack(fields))
  local done = {}
  for k, v in ipairs(values) do
    if v and string.sub(v, 1, 1) ~= 'P' then done[#done + 1] = fields[k] end
  end
  if #done > 0 then redis.call('HDEL', KEYS[2], unpack(done)) end
end
if KEYS[5] then redis.call('LPUSH', KEYS[5], ARGV[6]) end
return { 'CLAIMED' }
