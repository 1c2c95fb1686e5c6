-- read: move the user's read watermark in a room window (`readGid` of the window).
-- (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- ARGV[1] JSON: P, R, uid, wid, gid
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local K = room_keys(KEYS)
local uid = tostring(A.uid)
if not member(K, uid, A.wid) then return fail(A.R, 'NOT_FOUND', 'not in this room') end
redis.call('HSET', window_key(A.P, uid, A.wid), 'readGid', A.gid)
return ok(A.R, '')
