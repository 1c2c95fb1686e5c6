-- complete-init: put a new session's init burst in front of its outbox and number everything.
--
-- KEYS[1]  session:<userId>:<sessionId>
-- KEYS[2]  outbox:<userId>:<sessionId>
-- ARGV[1]  n, the number of burst entries
-- ARGV[2]  the offline timeline's score up to which the burst carries offline direct messages
--          ('' for none): an ack of the burst's last entry delivers them (ack-outbox.lua)
-- ARGV[3..n+2]  the burst: JSON objects without `seq`
-- ARGV[n+3..]   '<windowId>:<gid>' of every message the burst carries
-- Returns the next seq, or -1 when the session is gone, or -2 when its outbox was cut meanwhile
-- (the caller builds the burst again).
--
-- Nothing of this session has been sent yet, so what backends appended while the burst was being
-- built (seq 1..k) can be renumbered after it. An ADD_MESSAGE that the burst already carries (the
-- message was stored before the backlog was read and notified after the session existed) is
-- dropped: the client sees it once.
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'reinit') == '1' then
  redis.call('HDEL', KEYS[1], 'reinit')
  redis.call('DEL', KEYS[2])
  return -2
end
local n = tonumber(ARGV[1])
local carried = {}
for i = n + 3, #ARGV do carried[ARGV[i]] = true end
local out = {}
for i = 3, n + 2 do out[#out + 1] = ARGV[i] end
for _, entry in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local keep = true
  if string.find(entry, '"type":"ADD_MESSAGE"', 1, true) then
    local ok, decoded = pcall(cjson.decode, entry)
    if ok and decoded.windowId and decoded.gid and carried[tostring(decoded.windowId) .. ':' .. tostring(decoded.gid)] then
      keep = false
    end
  end
  if keep then
    -- Drop the old `"seq":N,` that notify.lua spliced in; it is numbered again below.
    out[#out + 1] = '{' .. string.gsub(string.sub(entry, 2), '^"seq":%d+,', '', 1)
  end
end
redis.call('DEL', KEYS[2])
local batch = {}
for i, entry in ipairs(out) do
  batch[#batch + 1] = '{"seq":' .. i .. ',' .. string.sub(entry, 2)
  if #batch == 500 then
    redis.call('RPUSH', KEYS[2], unpack(batch))
    batch = {}
  end
end
if #batch > 0 then redis.call('RPUSH', KEYS[2], unpack(batch)) end
redis.call('HSET', KEYS[1], 'listenRcvNext', #out + 1)
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'offlineAck', n .. ':' .. ARGV[2]) end
redis.call('HDEL', KEYS[1], 'initPending')
return #out + 1
