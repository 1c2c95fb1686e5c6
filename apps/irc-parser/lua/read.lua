-- read: move the user's read watermark in an IRC window (`readGid` of the window hash) forwards
-- only, and tell the user's other sessions (UPDATE_WINDOW readGid), in one step.
-- (outbox + request libs first.)
--
-- KEYS[1] window:<userId>:<windowId>
-- ARGV[1] JSON: P (key prefixes, max), uid, wid, gid, sid (the reading session: not told)
-- Returns 1 when the watermark moved, 0 when it was there already.
local A = cjson.decode(ARGV[1])
if A.gid <= tonumber(redis.call('HGET', KEYS[1], 'readGid') or '0') then return 0 end
redis.call('HSET', KEYS[1], 'readGid', A.gid)
tell(A.P, tostring(A.uid), { cjson.encode({ type = 'UPDATE_WINDOW', windowId = A.wid, readGid = A.gid }) }, A.sid)
return 1
