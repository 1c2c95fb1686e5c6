-- leave: CLOSE of a room window — the user leaves the room. (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- KEYS[6] black-list  KEYS[7] join requests (removed with the room when the last member leaves)
-- KEYS[8] groupbots (the room's service bots; they leave with the room)
-- ARGV[1] JSON: P, R, uid, wid, suffix, now, maxBacklog
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local K = room_keys(KEYS, true)
local uid = tostring(A.uid)
if redis.call('HGET', K.windows, uid) ~= tostring(A.wid) then return fail(A.R, 'NOT_FOUND', 'not in this room') end
local nick = string.sub(redis.call('HGET', K.roles, uid) or 'u?', 2)
remove_member(A.P, K, uid, A.suffix, A.now, A.maxBacklog, 'part', nick .. ' left', { KEYS[6], KEYS[7] })
return ok(A.R, '')
