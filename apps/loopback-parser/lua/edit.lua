-- edit: change (or, with empty text, delete) one's own message; every member sees the new version
-- as an ADD_MESSAGE with the same gid and `edited: true`. (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- ARGV[1] JSON: P, R, uid, wid, gid, text, urls (found in the new text), urlsMax
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local K = room_keys(KEYS)
local uid = tostring(A.uid)
if redis.call('HGET', K.windows, uid) ~= tostring(A.wid) then return fail(A.R, 'NOT_FOUND', 'not in this room') end
-- Every gid was LPUSHed once, in order, and the list is trimmed only at its old end: the message
-- with gid g sits at index nextgid - g.
local index = tonumber(redis.call('HGET', K.group, 'nextgid') or '0') - A.gid
local raw = index >= 0 and redis.call('LINDEX', K.backlog, index)
local m = raw and cjson.decode(raw)
if not m or m.gid ~= A.gid then return fail(A.R, 'NOT_FOUND', 'no such message (or too old to edit)') end
if m.userId == nil or tostring(m.userId) ~= uid or (m.cat ~= 'msg' and m.cat ~= 'action') then
  return fail(A.R, 'FORBIDDEN', 'only your own messages can be edited')
end
m.body = A.text
m.edited = true
local json = cjson.encode(m)
redis.call('LSET', K.backlog, index, json)
to_members(A.P, K.windows, function(w) return { message_json(w, json) } end, uid, A.R.sessionId)
-- Links the new text brings join the URL lists (those of the old text stay: they were seen).
add_urls(A.P, K.windows, A.urls, A.urlsMax)
return ok(A.R, '')
