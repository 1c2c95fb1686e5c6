-- send: a message (or an action) into a room: stored once with the room's next gid, de-duplicated
-- by the client's message id, fanned out to every member's sessions but the sending one.
-- (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- KEYS[6] groupclientmsg:<room>:<userId>:<clientMsgId> (or any key when there is no client id)
-- ARGV[1] JSON: P, R, uid, wid, text, cat, now, maxBacklog, dedupeTtl (s; 0: no client id),
--         urls (found in the text), urlsMax
--         (uid absent: a post by the room's integration, named A.nick)
-- Answers { gid, ts }.
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local K = room_keys(KEYS)
local uid = A.uid and tostring(A.uid) or nil
local nick = A.nick
if uid then
  if redis.call('HGET', K.windows, uid) ~= tostring(A.wid) then return fail(A.R, 'NOT_FOUND', 'not in this room') end
  nick = string.sub(redis.call('HGET', K.roles, uid), 2)
  if A.dedupeTtl > 0 then
    local seen = redis.call('GET', KEYS[6])
    if seen then
      local gid, ts = string.match(seen, '^(%d+):(%d+)$')
      return ok(A.R, '"gid":' .. gid .. ',"ts":' .. ts)
    end
  end
elseif redis.call('EXISTS', K.group) == 0 then
  return fail(A.R, 'NOT_FOUND', 'no such room')
end
local gid, msg = store_message(K.group, K.backlog, A.maxBacklog, A.now, A.cat, A.text, nick, uid)
if uid and A.dedupeTtl > 0 then redis.call('SET', KEYS[6], gid .. ':' .. string.format('%d', A.now), 'EX', A.dedupeTtl) end
to_members(A.P, K.windows, function(w) return { message_json(w, msg) } end, uid, A.R and A.R.sessionId)
-- The URLs in the text join each member's URL list of the window (newest first, bounded).
if A.urls and #A.urls > 0 then
  local flat = redis.call('HGETALL', K.windows)
  for i = 1, #flat, 2 do
    local key = A.P.urls .. flat[i] .. A.P.separator .. flat[i + 1]
    redis.call('LPUSH', key, unpack(A.urls))
    redis.call('LTRIM', key, 0, A.urlsMax - 1)
  end
end
return ok(A.R, '"gid":' .. gid .. ',"ts":' .. string.format('%d', A.now))
