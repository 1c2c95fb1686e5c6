-- read: move the user's read watermark in a room window (`readGid` of the window), forwards only,
-- and tell the user's other sessions (UPDATE_WINDOW readGid) so each device shows the same unread.
-- (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- ARGV[1] JSON: P, R, uid, wid, gid
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local K = room_keys(KEYS)
local uid = tostring(A.uid)
if not member(K, uid, A.wid) then return fail(A.R, 'NOT_FOUND', 'not in this room') end
if A.gid > tonumber(redis.call('HGET', K.group, 'nextgid') or '0') then return fail(A.R, 'NOT_FOUND', 'no such message') end
local window = window_key(A.P, uid, A.wid)
if A.gid > tonumber(redis.call('HGET', window, 'readGid') or '0') then
  redis.call('HSET', window, 'readGid', A.gid)
  tell(A.P, uid, { cjson.encode({ type = 'UPDATE_WINDOW', windowId = A.wid, readGid = A.gid }) }, A.R and A.R.sessionId or '')
end
return ok(A.R, '')
