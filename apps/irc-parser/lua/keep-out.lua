-- Keeps one write of the user's own messages until connection-manager confirms it (`sent`), and
-- queues it for connection-manager in the same step: a crash between the two cannot keep a write
-- that is never sent, nor send one twice.
-- KEYS[1] networks:<userId>:<network>   KEYS[2] ircoutbox:<userId>:<network>
-- KEYS[3] inbox:connectionmanager       KEYS[4] ircclientmsg:<userId>:<clientMsgId> (any key without one)
-- ARGV[1] the entry without its number (JSON object text, `{"ts":…,"lines":[…]}`)   ARGV[2] entries kept at most
-- ARGV[3] the write for connection-manager without its closing brace (its `wseq` is added here)
-- ARGV[4] the field of this write in KEYS[4] (`w<i>`), or '' when the SEND has no client id
-- ARGV[5] how long KEYS[4] is kept (s)
-- Returns { wseq, 1 }, or { wseq, 0 } when this write of that SEND was queued before (nothing done).
-- Number, entry and write in one step: one round trip on every message sent.
if ARGV[4] ~= '' then
  local known = redis.call('HGET', KEYS[4], ARGV[4])
  if known then return { tonumber(known), 0 } end
end
local wseq = redis.call('HINCRBY', KEYS[1], 'wseq', 1)
redis.call('ZADD', KEYS[2], wseq, '{"wseq":' .. wseq .. ',' .. string.sub(ARGV[1], 2))
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[2]) + 1))
redis.call('LPUSH', KEYS[3], ARGV[3] .. ',"wseq":' .. wseq .. '}')
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[4], wseq)
  redis.call('EXPIRE', KEYS[4], ARGV[5])
end
return { wseq, 1 }
