-- send: a run of messages (or actions) of one session into one room, in order: each stored once
-- with the room's next gid, de-duplicated by the client's message id, and all of them fanned out
-- to every member's sessions but the sending one — in one step, so each member's sessions are
-- reached once per run rather than once per message (a busy sender's SENDs come in runs).
-- (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- KEYS[5 + i] groupclientmsg:<room>:<userId>:<clientMsgId> of item i (any key when it has none)
-- ARGV[1] JSON: P, uid, wid, sid (the sending session: not told), now, maxBacklog,
--         dedupeTtl (s; 0: the items have no client ids), urlsMax,
--         items = [{ R, text, cat, urls (found in the text) }]
--         (uid absent: a post by the room's integration, named A.nick, whose items have no R)
-- Each item awaited is answered { gid, ts }; returns the number of messages stored.
local A = cjson.decode(ARGV[1])
local K = room_keys(KEYS)
local todo = {}
for i, item in ipairs(A.items) do
  if not answered(item.R) then todo[#todo + 1] = i end
end
if #todo == 0 then return 0 end
local uid = A.uid and tostring(A.uid) or nil
local nick = A.nick
local refusal
if uid then
  if redis.call('HGET', K.windows, uid) ~= tostring(A.wid) then refusal = 'not in this room'
  else nick = string.sub(redis.call('HGET', K.roles, uid), 2) end
elseif redis.call('EXISTS', K.group) == 0 then
  refusal = 'no such room'
end
if refusal then
  for _, i in ipairs(todo) do fail(A.items[i].R, 'NOT_FOUND', refusal) end
  return 0
end
local ts = string.format('%d', A.now)
local dedupe = uid and A.dedupeTtl > 0
local answers = {}
local stored = {}
local urls = {}
for _, i in ipairs(todo) do
  local item = A.items[i]
  -- A repeat of a message already stored (also earlier in this run) gets the gid it got.
  local seen = dedupe and redis.call('GET', KEYS[5 + i])
  if seen then
    local gid, at = string.match(seen, '^(%d+):(%d+)$')
    answers[i] = '"gid":' .. gid .. ',"ts":' .. at
  else
    local gid, msg = store_message(K.group, K.backlog, A.maxBacklog, A.now, item.cat, item.text, nick, uid)
    if dedupe then redis.call('SET', KEYS[5 + i], gid .. ':' .. ts, 'EX', A.dedupeTtl) end
    stored[#stored + 1] = msg
    answers[i] = '"gid":' .. gid .. ',"ts":' .. ts
    for _, url in ipairs(item.urls or {}) do urls[#urls + 1] = url end
  end
end
if #stored > 0 then
  to_members(A.P, K.windows, function(w)
    local bodies = {}
    for j, msg in ipairs(stored) do bodies[j] = message_json(w, msg) end
    return bodies
  end, uid, A.sid)
end
-- The URLs in the texts join each member's URL list of the window (newest first, bounded).
if #urls > 0 then
  local flat = redis.call('HGETALL', K.windows)
  for i = 1, #flat, 2 do
    local key = A.P.urls .. flat[i] .. A.P.separator .. flat[i + 1]
    redis.call('LPUSH', key, unpack(urls))
    redis.call('LTRIM', key, 0, A.urlsMax - 1)
  end
end
for _, i in ipairs(todo) do ok(A.items[i].R, answers[i]) end
return #stored
