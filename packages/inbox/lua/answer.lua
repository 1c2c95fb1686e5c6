-- answer: store the answer of one client request and wake the gateway waiting for it.
--
-- KEYS[1]  sessionreplies:<userId>:<sessionId>
-- ARGV[1]  requestId (the request's seq, as the gateway claimed it)
-- ARGV[2]  the answer, JSON ({"status":"OK",...} or {"status":"ERROR",...})
-- ARGV[3]  'notify:<userId>'   the pub/sub channel
-- ARGV[4]  sessionId
-- Returns 1 when stored; 0 when the request is not waiting for an answer (already answered, or
-- its session is gone), which is how a redelivered request is told apart from a new one.
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or string.sub(current, 1, 1) ~= 'P' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], cjson.encode({ reply = { sessionId = ARGV[4], requestId = ARGV[1] } }))
return 1
