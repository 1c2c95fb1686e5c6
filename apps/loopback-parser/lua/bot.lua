-- bot: the room's service bots (BotInfo objects of the object store), each step atomic with what
-- the members are told. (outbox lib + rooms-lib first.)
--   assign    the owner assigns a bot: it joins the member list (as an operator, marked a bot)
--   unassign  the owner removes it
--   say       an owner or operator (uid), or the room's integration (no uid), speaks as the bot
--   sync      the bot's BotInfo changed (nick '': gone or unusable): the room follows; no answer.
--             Idempotent, so every loopback-parser may run it for the same edit.
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- KEYS[6] black-list (unused)  KEYS[7] join requests (unused)  KEYS[8] groupbots
-- KEYS[9] botrooms:<botId>  KEYS[10] assignedbots  KEYS[11] hash:BotInfo:<botId> (the object store's)
-- ARGV[1] JSON: P, R (absent for sync and integration posts), op, uid, wid, room (the name the
--         group hash has, for botrooms), botId, nick (as the caller named the bot, for errors),
--         nickTaken (sync: an account has the bot's nick now), text, cat ('msg' | 'action'), urls,
--         urlsMax, now, maxBacklog
-- The bot's nick is read here, from its BotInfo, so that of several loopback-parsers syncing after
-- a run of edits the last one's view cannot be overtaken by an older one's.
local A = cjson.decode(ARGV[1])
if A.R and answered(A.R) then return 'DONE' end
local K = room_keys(KEYS, true)
local bot_id = tostring(A.botId)
local current = redis.call('HGET', K.bots, bot_id)
-- The bot's nick now ('' when its BotInfo is gone or the nick cannot be a room nick).
local bot_nick = redis.call('HGET', KEYS[11], 'nick')
if not valid_nick(bot_nick) then bot_nick = '' end

-- The bot is no longer the room's: botrooms and assignedbots forget it too.
local function forget()
  redis.call('HDEL', K.bots, bot_id)
  redis.call('SREM', KEYS[9], A.room)
  if redis.call('SCARD', KEYS[9]) == 0 then redis.call('SREM', KEYS[10], bot_id) end
end

-- An info line and a member change to every member's sessions.
local function announce(line, by, removed, added)
  local _, msg = store_message(K.group, K.backlog, A.maxBacklog, A.now, 'info', line, by, nil)
  to_members(A.P, K.windows, function(w)
    local bodies = {}
    if removed then bodies[#bodies + 1] = cjson.encode({ type = 'DELETE_MEMBERS', windowId = tonumber(w), members = { { nick = removed } } }) end
    if added then bodies[#bodies + 1] = cjson.encode({ type = 'UPDATE_MEMBERS', windowId = tonumber(w), members = { bot_member(added) } }) end
    bodies[#bodies + 1] = message_json(w, msg)
    return bodies
  end, nil, nil)
end

-- Is `nick` a member's (ignoring case)? A bot never shares a nick with a person in its room.
local function a_member_has(nick)
  for _, m in ipairs(members_of(K.roles, nil)) do
    if string.lower(m.nick) == string.lower(nick) then return true end
  end
  return false
end

if A.op == 'sync' then
  if not current or redis.call('EXISTS', K.group) == 0 then
    -- Not assigned here (any more): a stale botrooms entry, e.g. of a room that has gone.
    forget()
    return 0
  end
  if bot_nick == current then return 0 end
  local taken = A.nickTaken and string.lower(A.nick) == string.lower(bot_nick)
  if bot_nick == '' or taken or a_member_has(bot_nick) then
    forget()
    local why = bot_nick == '' and ' was removed' or (' left: its new nick ' .. bot_nick .. ' is a person\'s')
    announce('the service bot ' .. current .. why, current, current, nil)
  else
    redis.call('HSET', K.bots, bot_id, bot_nick)
    announce(current .. ' is now known as ' .. bot_nick, bot_nick, current, bot_nick)
  end
  publish_notices()
  return 1
end

if redis.call('EXISTS', K.group) == 0 then return fail(A.R, 'NOT_FOUND', 'no such room') end
local role, by
if A.uid then
  role, by = member(K, tostring(A.uid), A.wid)
  if not role then return fail(A.R, 'NOT_FOUND', 'not in this room') end
end

if A.op == 'assign' or A.op == 'unassign' then
  if role ~= '*' then return fail(A.R, 'FORBIDDEN', 'only the owner assigns the bots of this room') end
  if A.op == 'assign' then
    if bot_nick == '' then return fail(A.R, 'NOT_FOUND', 'there is no service bot ' .. A.nick) end
    if current then return fail(A.R, 'ERROR_EXISTS', bot_nick .. ' is assigned to this room already') end
    -- A bot's nick is no member's (they cannot register it), but one who had it before the bot did keeps it.
    if a_member_has(bot_nick) then return fail(A.R, 'ERROR_EXISTS', bot_nick .. ' is the nick of a member of this room') end
    redis.call('HSET', K.bots, bot_id, bot_nick)
    redis.call('SADD', KEYS[9], A.room)
    redis.call('SADD', KEYS[10], bot_id)
    announce(by .. ' assigned the service bot ' .. bot_nick, by, nil, bot_nick)
  else
    if not current then return fail(A.R, 'NOT_FOUND', A.nick .. ' is not assigned to this room') end
    forget()
    announce(by .. ' unassigned the service bot ' .. current, by, current, nil)
  end
  return ok(A.R, '')
end

-- say
if A.uid and role ~= '*' and role ~= '@' then return fail(A.R, 'FORBIDDEN', 'only the owner and operators speak through the bots of this room') end
if not current then
  if A.R then return fail(A.R, 'NOT_FOUND', A.nick .. ' is not assigned to this room') end
  return 0
end
local gid, msg = store_message(K.group, K.backlog, A.maxBacklog, A.now, A.cat, A.text, current, nil, true)
-- Everyone sees it, the sender's own sessions too: they did not say it as themselves.
to_members(A.P, K.windows, function(w) return { message_json(w, msg) } end, nil, nil)
add_urls(A.P, K.windows, A.urls, A.urlsMax)
if A.R then return ok(A.R, '"gid":' .. gid) end
publish_notices()
return gid
