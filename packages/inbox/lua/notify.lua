-- notify: append notifications to the outbox of each live session of one user (or of one session),
-- give each its session's next sequence number, and wake the gateways that hold the sockets.
-- (Preceded by lib/outbox.lua.)
--
-- KEYS[1]  sessionlist:<userId>       the user's sessions (zset by time)
-- ARGV[1]  'session:<userId>:'        (a session's hash is this followed by its id)
-- ARGV[2]  'outbox:<userId>:'         (a session's outbox is this followed by its id)
-- ARGV[3]  'notify:gateway:'          what a gateway's pub/sub channel is before its instance
-- ARGV[4]  the most entries an outbox may hold
-- ARGV[5]  only this session id, or '' for every session of the user
-- ARGV[6]  every session but this one (the one whose own action this is), or ''
-- ARGV[7..] the notifications, each a JSON object without `seq`
-- Returns the ids of the sessions notified.
--
-- The seq is given here, at append time, from the session's `listenRcvNext`, so a client that
-- resumes with its last seq gets exactly the entries after it. An outbox that would grow past the
-- bound (the client is gone, the session not yet expired) is cut and the session marked `reinit`:
-- its next connect gets a full init instead of a resume with holes.
local bodies = {}
for i = 7, #ARGV do bodies[#bodies + 1] = ARGV[i] end
local notified = append_to_user(KEYS[1], ARGV[1], ARGV[2], ARGV[3], bodies, ARGV[5], ARGV[6], tonumber(ARGV[4]))
publish_notices()
return notified
