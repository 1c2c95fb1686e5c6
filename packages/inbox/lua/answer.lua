-- answer: store the answer of one client request and wake the gateway waiting for it.
-- (Preceded by lib/outbox.lua.)
--
-- KEYS[1]  sessionreplies:<userId>:<sessionId>
-- ARGV[1]  requestId (the request's seq, as the gateway claimed it)
-- ARGV[2]  the answer, JSON ({"status":"OK",...} or {"status":"ERROR",...})
-- ARGV[3]  'notify:gateway:<instance>'   the channel of the gateway that forwarded the request
-- ARGV[4]  sessionId
-- Returns 1 when stored; 0 when the request is not waiting for an answer (already answered, or
-- its session is gone), which is how a redelivered request is told apart from a new one.
local stored = answer_request(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
publish_notices()
return stored
