-- edit: change (or, with empty text, delete) one's own message; every member sees the new version
-- as an ADD_MESSAGE with the same gid and `edited: true`. (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- ARGV[1] JSON: P, R, uid, wid, gid, text
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local K = room_keys(KEYS)
local uid = tostring(A.uid)
if redis.call('HGET', K.windows, uid) ~= tostring(A.wid) then return fail(A.R, 'NOT_FOUND', 'not in this room') end
local list = redis.call('LRANGE', K.backlog, 0, -1)
for i, raw in ipairs(list) do
  local m = cjson.decode(raw)
  if m.gid == A.gid then
    if m.userId == nil or tostring(m.userId) ~= uid or (m.cat ~= 'msg' and m.cat ~= 'action') then
      return fail(A.R, 'FORBIDDEN', 'only your own messages can be edited')
    end
    m.body = A.text
    m.edited = true
    local json = cjson.encode(m)
    redis.call('LSET', K.backlog, i - 1, json)
    to_members(A.P, K.windows, function(w) return { message_json(w, json) } end, uid, A.R.sessionId)
    return ok(A.R, '')
  end
end
return fail(A.R, 'NOT_FOUND', 'no such message (or too old to edit)')
