-- topic: the owner or an operator sets the room's topic. (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- ARGV[1] JSON: P, R, uid, wid, topic, now, maxBacklog
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local K = room_keys(KEYS)
local uid = tostring(A.uid)
local role, nick = member(K, uid, A.wid)
if not role then return fail(A.R, 'NOT_FOUND', 'not in this room') end
if role ~= '*' and role ~= '@' then return fail(A.R, 'FORBIDDEN', 'only the owner and operators set the topic') end
redis.call('HSET', K.group, 'topic', A.topic)
local _, msg = store_message(K.group, K.backlog, A.maxBacklog, A.now, 'info', nick .. ' set the topic: ' .. A.topic, nick, uid)
local flat = redis.call('HGETALL', K.windows)
for i = 1, #flat, 2 do redis.call('HSET', window_key(A.P, flat[i], flat[i + 1]), 'topic', A.topic) end
to_members(A.P, K.windows, function(w)
  return { cjson.encode({ type = 'UPDATE_WINDOW', windowId = tonumber(w), topic = A.topic }), message_json(w, msg) }
end, nil, nil)
return ok(A.R, '')
