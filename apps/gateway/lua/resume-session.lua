-- resume-session: take up a live session after the client's last seen notification.
--
-- KEYS[1]  session:<userId>:<sessionId>
-- KEYS[2]  outbox:<userId>:<sessionId>
-- KEYS[3]  sessionlist:<userId>
-- KEYS[4]  sessionlastrequest
-- ARGV[1]  lastSeq (the last notification the client has)
-- ARGV[2]  now (ms)
-- ARGV[3]  sessionId
-- ARGV[4]  sessionRef
-- ARGV[5]  the gateway instance taking the session up: wake-ups go there from now on
-- ARGV[6]  the hash of the login token the socket uses now (rotated at each handshake): a logout
--          with that token must end this session too
-- Returns 'OK', or why the session cannot be resumed exactly: 'GONE' (unknown or expired),
-- 'REINIT' (its outbox was cut), 'UNFINISHED' (its init burst never completed), 'AHEAD' (the
-- client claims notifications never sent), 'BEHIND' (entries after lastSeq were already dropped).
-- A session that cannot be resumed is left for the caller to end.
if redis.call('EXISTS', KEYS[1]) == 0 then return 'GONE' end
local s = redis.call('HMGET', KEYS[1], 'reinit', 'initPending', 'listenRcvNext')
if s[1] == '1' then return 'REINIT' end
if s[2] then return 'UNFINISHED' end
local last = tonumber(ARGV[1])
local nextSeq = tonumber(s[3])
if last > nextSeq - 1 then return 'AHEAD' end
local first = redis.call('LINDEX', KEYS[2], 0)
if first then
  local firstSeq = tonumber(string.match(first, '^{"seq":(%d+)'))
  if firstSeq > last + 1 then return 'BEHIND' end
  -- Everything up to lastSeq has arrived: that is an ack.
  if last >= firstSeq then redis.call('LTRIM', KEYS[2], last - firstSeq + 1, -1) end
elseif last ~= nextSeq - 1 then
  return 'BEHIND'
end
-- Before this gateway's first read: whatever is appended after that read wakes it.
-- …and with a socket again: its user is here (presence, direct messages not offline).
redis.call('HSET', KEYS[1], 'timeStamp', ARGV[2], 'gateway', ARGV[5], 'connected', 1, 'tokenHash', ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[4])
return 'OK'
