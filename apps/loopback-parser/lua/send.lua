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
-- Each item awaited is answered { gid, ts } (the sender's gateway hears of the whole run, and of
-- the members' sessions it holds, in one message); returns the number of messages stored.
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
  for _, i in ipairs(todo) do answer(A.items[i].R, error_json('NOT_FOUND', refusal)) end
  publish_notices()
  return 0
end
local ts = string.format('%d', A.now)
local dedupe = uid and A.dedupeTtl > 0
local answers = {}
-- A repeat of a message stored before gets the gid it got; so does a repeat inside this run
-- (`first[key]`: the item that stores it).
local fresh, first, urls = {}, {}, {}
for _, i in ipairs(todo) do
  local key = KEYS[5 + i]
  local seen = dedupe and redis.call('GET', key)
  if seen then
    local gid, at = string.match(seen, '^(%d+):(%d+)$')
    answers[i] = '"gid":' .. gid .. ',"ts":' .. at
  elseif not (dedupe and first[key]) then
    first[key] = i
    fresh[#fresh + 1] = i
  end
end
local stored = {}
if #fresh > 0 then
  local list = {}
  for k, i in ipairs(fresh) do list[k] = { cat = A.items[i].cat, body = A.items[i].text } end
  local gids
  gids, stored = store_messages(K.group, K.backlog, A.maxBacklog, A.now, list, nick, uid)
  for k, i in ipairs(fresh) do
    answers[i] = '"gid":' .. gids[k] .. ',"ts":' .. ts
    if dedupe then redis.call('SET', KEYS[5 + i], gids[k] .. ':' .. ts, 'EX', A.dedupeTtl) end
    for _, url in ipairs(A.items[i].urls or {}) do urls[#urls + 1] = url end
  end
end
for _, i in ipairs(todo) do
  if not answers[i] then answers[i] = answers[first[KEYS[5 + i]]] end
end
if #stored > 0 then
  to_members(A.P, K.windows, function(w)
    local bodies = {}
    for j, msg in ipairs(stored) do bodies[j] = message_json(w, msg) end
    return bodies
  end, uid, A.sid)
end
add_urls(A.P, K.windows, urls, A.urlsMax)
for _, i in ipairs(todo) do answer(A.items[i].R, '{"status":"OK",' .. answers[i] .. '}') end
publish_notices()
return #stored
