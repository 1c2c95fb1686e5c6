-- settings: the owner changes the room's password (stored hashed; '' removes it) or join policy.
-- (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- ARGV[1] JSON: P, R, uid, wid, passwordHash (nil: unchanged, '': none), policy (nil: unchanged), now, maxBacklog
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local K = room_keys(KEYS)
local uid = tostring(A.uid)
if redis.call('HGET', K.windows, uid) ~= tostring(A.wid) then return fail(A.R, 'NOT_FOUND', 'not in this room') end
if redis.call('HGET', K.group, 'owner') ~= uid then return fail(A.R, 'FORBIDDEN', 'only the owner changes the room settings') end
local nick = string.sub(redis.call('HGET', K.roles, uid), 2)
if A.passwordHash == nil and A.policy == nil then return fail(A.R, 'BAD_REQUEST', 'nothing to change') end
if A.policy == 'password' and A.passwordHash == nil and not redis.call('HGET', K.group, 'password') then
  return fail(A.R, 'BAD_REQUEST', 'set a password first')
end
local line
if A.passwordHash ~= nil then
  if A.passwordHash == '' then
    redis.call('HDEL', K.group, 'password')
    if redis.call('HGET', K.group, 'policy') == 'password' then redis.call('HSET', K.group, 'policy', 'open') end
    line = nick .. ' removed the room password'
  else
    -- An open room gets the password policy; an invite or approval room keeps its policy.
    redis.call('HSET', K.group, 'password', A.passwordHash)
    if redis.call('HGET', K.group, 'policy') == 'open' then redis.call('HSET', K.group, 'policy', 'password') end
    line = nick .. ' set a room password'
  end
end
if A.policy ~= nil then
  redis.call('HSET', K.group, 'policy', A.policy)
  line = nick .. ' made the room ' .. A.policy
end
local _, msg = store_message(K.group, K.backlog, A.maxBacklog, A.now, 'info', line, nick, uid)
to_members(A.P, K.windows, function(w) return { message_json(w, msg) } end, nil, nil)
return ok(A.R, '')
