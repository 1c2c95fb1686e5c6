-- read: move the user's read watermark in an IRC window (`readGid` of the window hash) forwards
-- only, and tell the user's other sessions (UPDATE_WINDOW readGid), in one step.
-- (outbox + request libs first.)
--
-- KEYS[1] window:<userId>:<windowId>
-- ARGV[1] JSON: P (key prefixes, max), uid, wid, gid, sid (the reading session: not told)
-- Returns 1 when the watermark moved, 0 when it was there already, -1 when the window is gone or
-- has no message with that gid (a watermark past the newest message would never move again).
local A = cjson.decode(ARGV[1])
local w = redis.call('HMGET', KEYS[1], 'nextgid', 'readGid', 'type')
if not w[3] or type(A.gid) ~= 'number' or A.gid > tonumber(w[1] or '0') then return -1 end
if A.gid <= tonumber(w[2] or '0') then return 0 end
redis.call('HSET', KEYS[1], 'readGid', A.gid)
tell(A.P, tostring(A.uid), { cjson.encode({ type = 'UPDATE_WINDOW', windowId = A.wid, readGid = A.gid }) }, A.sid)
publish_notices()
return 1
