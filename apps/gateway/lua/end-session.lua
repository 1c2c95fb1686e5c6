-- end-session: remove a session with its outbox and stored answers, and tell its socket.
--
-- KEYS[1]  sessionlist:<userId>
-- KEYS[2]  session:<userId>:<sessionId>
-- KEYS[3]  sessionlastrequest
-- KEYS[4]  outbox:<userId>:<sessionId>
-- KEYS[5]  sessionreplies:<userId>:<sessionId>
-- KEYS[6]  sessionend:<userId>:<sessionId> (why it ended, kept ARGV[8] ms)
-- ARGV[1]  sessionId
-- ARGV[2]  sessionRef
-- ARGV[3]  'notify:gateways' (every gateway: the one holding the socket closes it)
-- ARGV[4]  the terminate message (protocol's NotifyMessage), or '' to tell nobody
-- ARGV[5]  only if idle since: end it only if its last activity is at or before this (ms), or ''
-- ARGV[6]  '1': only if no socket holds it (`connected` is not 1), e.g. the session a reloaded page had
-- ARGV[7]  why it ended ({"code","reason"}), or '': a gateway whose outbox read finds the session gone
--          before the terminate message reaches it tells the socket this, not EXPIRED
-- ARGV[8]  how long that is kept (ms)
-- Returns 1 if the session was ended, 0 if it was not there (or not idle or detached any more).
if ARGV[6] == '1' and redis.call('HGET', KEYS[2], 'connected') == '1' then return 0 end
if ARGV[5] ~= '' then
  local score = redis.call('ZSCORE', KEYS[3], ARGV[2])
  if score and tonumber(score) > tonumber(ARGV[5]) then return 0 end
end
local listed = redis.call('ZREM', KEYS[1], ARGV[1])
local refd = redis.call('ZREM', KEYS[3], ARGV[2])
local deleted = redis.call('DEL', KEYS[2], KEYS[4], KEYS[5])
if ARGV[7] ~= '' and listed + refd + deleted > 0 then redis.call('SET', KEYS[6], ARGV[7], 'PX', ARGV[8]) end
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
if listed + refd + deleted > 0 then return 1 end
return 0
