-- access: the room's access list (ChanAccess objects) gives a member who has just joined their
-- role, op or voice, as a room's services would. Never lowers a role. (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- ARGV[1] JSON: P, uid, role ('@' or '+'), now, maxBacklog
-- Returns 1 when the role changed, 0 otherwise (not a member, or already that role or higher).
local A = cjson.decode(ARGV[1])
local K = room_keys(KEYS)
local uid = tostring(A.uid)
local entry = redis.call('HGET', K.roles, uid)
if not entry then return 0 end
local rank = { ['*'] = 0, ['@'] = 1, ['+'] = 2, u = 3 }
local current = rank[string.sub(entry, 1, 1)] or 3
if current <= rank[A.role] then return 0 end
set_role(A.P, K, uid, A.role, A.now, A.maxBacklog, 'access')
publish_notices()
return 1
