-- create-session: a new session of a user, waiting for its init burst.
--
-- KEYS[1]  sessionlist:<userId>
-- KEYS[2]  session:<userId>:<sessionId>
-- KEYS[3]  sessionlastrequest
-- KEYS[4]  outbox:<userId>:<sessionId>
-- KEYS[5]  sessionreplies:<userId>:<sessionId>
-- ARGV[1]  sessionId
-- ARGV[2]  now (ms)
-- ARGV[3]  the most sessions a user may have
-- ARGV[4]  sessionRef (<userId>:<sessionId>)
-- ARGV[5]  the login token's hash
-- ARGV[6]  the client's name
-- ARGV[7]  the gateway instance creating it (it will hold the socket: wake-ups go there)
-- ARGV[8]  the kind of device (web, desktop, mobile)
-- ARGV[9]  the client's address
-- Returns the ids of the user's oldest sessions beyond the cap (the caller ends them).
--
-- From here on backends append to the new outbox (notify.lua finds the session in the list), so
-- nothing that happens while the burst is built is missed; `initPending` keeps the gateway from
-- delivering until complete-init.lua has put the burst in front.
redis.call('DEL', KEYS[2], KEYS[4], KEYS[5])
redis.call('HSET', KEYS[2], 'sendRcvNext', 1, 'listenRcvNext', 1, 'timeStamp', ARGV[2], 'initPending', 1,
  'tokenHash', ARGV[5], 'clientName', ARGV[6], 'gateway', ARGV[7], 'deviceType', ARGV[8], 'ip', ARGV[9], 'connected', 1)
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[4])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if over <= 0 then return {} end
local oldest = redis.call('ZRANGE', KEYS[1], 0, over)
local victims = {}
for _, sid in ipairs(oldest) do
  if sid ~= ARGV[1] and #victims < over then victims[#victims + 1] = sid end
end
return victims
