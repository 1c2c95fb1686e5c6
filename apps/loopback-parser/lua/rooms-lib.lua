-- rooms-lib: what the room scripts share (preceded by packages/inbox's lib/outbox.lua and
-- lib/request.lua: tell, answered, reply, ok, fail). Every room script takes one JSON argument A with:
--   A.P  key prefixes from key-schema's USER_KEY_PREFIXES, and A.P.max (the outbox bound)
--   A.R  where the answer goes (lib/request.lua; absent when a script runs for no client request,
--        e.g. a webhook post)
-- and changes the room, tells the members' sessions and answers the request in one atomic step.

-- A service bot as a member list shows it (bots are operators of the rooms they are assigned to).
local function bot_member(nick)
  return { nick = nick, role = '@', bot = true }
end

-- A nick of the built-in network (as loopback-parser's NICK): what a bot may be called in a room.
-- (A nick written by hand into a BotInfo or groupbots hash that is not one never reaches a client.)
local function valid_nick(nick)
  return type(nick) == 'string' and #nick >= 1 and #nick <= 32 and string.find(nick, '^[%a_%[%]\\`%^{}|][%w_%[%]\\`%^{}|%-]*$') ~= nil
end

-- The member list of a room window (grouproles values are role .. nick), with the room's service
-- bots (groupbots: BotInfo id → nick) when `bots_key` is given.
local function members_of(roles_key, bots_key)
  local list = {}
  local flat = redis.call('HGETALL', roles_key)
  for i = 1, #flat, 2 do
    list[#list + 1] = { userId = tonumber(flat[i]), role = string.sub(flat[i + 1], 1, 1), nick = string.sub(flat[i + 1], 2) }
  end
  if bots_key then
    local bots = redis.call('HGETALL', bots_key)
    for i = 2, #bots, 2 do
      if valid_nick(bots[i]) then list[#list + 1] = bot_member(bots[i]) end
    end
  end
  return list
end

local function window_key(P, uid, wid)
  return P.window .. uid .. P.separator .. wid
end

-- A new window of the room for one user: window hash and windowlist entry; returns its id.
local function make_window(P, uid, name, suffix, role, topic)
  local wid = redis.call('HINCRBY', P.user .. uid, 'nextwindowid', 1)
  redis.call('HSET', window_key(P, uid, wid), 'name', name, 'type', 'group', 'network', 'parley', 'topic', topic,
    'userMode', role, 'visible', 'true', 'sounds', 'false', 'titleAlert', 'false')
  redis.call('SADD', P.windowList .. uid, wid .. suffix)
  return wid
end

-- A window goes with what hangs on it: its notes and its URL list.
local function drop_window(P, uid, wid, suffix)
  local notelist = P.noteList .. uid .. P.separator .. wid
  for _, id in ipairs(redis.call('SMEMBERS', notelist)) do redis.call('DEL', P.note .. id) end
  redis.call('DEL', window_key(P, uid, wid), notelist, P.urls .. uid .. P.separator .. wid)
  redis.call('SREM', P.windowList .. uid, wid .. suffix)
end

local function add_window_json(wid, name, topic, role)
  return cjson.encode({ type = 'ADD_WINDOW', windowId = tonumber(wid), network = 'parley', name = name, windowType = 'group',
    topic = topic, role = role, visible = true, sounds = false, titleAlert = false })
end

-- Stores messages ({ cat, body } each, in order) in the room's backlog with the room's next gids;
-- returns their gids and JSON texts. `bot`: said by a service bot named `nick`.
local function store_messages(group_key, backlog_key, max_backlog, now, list, nick, uid, bot)
  local last = redis.call('HINCRBY', group_key, 'nextgid', #list)
  local gids, jsons = {}, {}
  for i, m in ipairs(list) do
    local msg = { gid = last - #list + i, ts = now, cat = m.cat, body = m.body, nick = nick }
    if uid then msg.userId = tonumber(uid) end
    if bot then msg.bot = true end
    gids[i] = msg.gid
    jsons[i] = cjson.encode(msg)
  end
  if redis.call('LPUSH', backlog_key, unpack(jsons)) > max_backlog then redis.call('LTRIM', backlog_key, 0, max_backlog - 1) end
  return gids, jsons
end

-- Stores one message; returns its gid and JSON text.
local function store_message(group_key, backlog_key, max_backlog, now, cat, body, nick, uid, bot)
  local gids, jsons = store_messages(group_key, backlog_key, max_backlog, now, { { cat = cat, body = body } }, nick, uid, bot)
  return gids[1], jsons[1]
end

-- Tells every member (each with their own windowId); `make(wid)` gives the notification bodies.
local function to_members(P, windows_key, make, except_uid, except_sid)
  local flat = redis.call('HGETALL', windows_key)
  for i = 1, #flat, 2 do
    local uid, wid = flat[i], flat[i + 1]
    tell(P, uid, make(wid), uid == except_uid and except_sid or '')
  end
end

-- The URLs of a message join each member's URL list of the room's window (newest first, bounded).
local function add_urls(P, windows_key, urls, max)
  if not urls or #urls == 0 then return end
  local flat = redis.call('HGETALL', windows_key)
  for i = 1, #flat, 2 do
    local key = P.urls .. flat[i] .. P.separator .. flat[i + 1]
    redis.call('LPUSH', key, unpack(urls))
    redis.call('LTRIM', key, 0, max - 1)
  end
end

local function message_json(wid, msg_json)
  return '{"type":"ADD_MESSAGE","windowId":' .. wid .. ',' .. string.sub(msg_json, 2)
end

-- Does a nick match a ban mask (`*` any run, `?` one character; case-insensitive)?
local function mask_matches(mask, nick)
  local pattern = '^' .. string.gsub(string.lower(mask), '[%^%$%(%)%%%.%[%]%+%-%*%?]', function(c)
    if c == '*' then return '.*' elseif c == '?' then return '.' else return '%' .. c end
  end) .. '$'
  return string.find(string.lower(nick), pattern) ~= nil
end

local function is_banned(blacklist_key, uid, nick)
  if redis.call('HEXISTS', blacklist_key, 'user:' .. uid) == 1 then return true end
  for _, field in ipairs(redis.call('HKEYS', blacklist_key)) do
    if string.sub(field, 1, 5) == 'mask:' and mask_matches(string.sub(field, 6), nick) then return true end
  end
  return false
end

-- K: { group, members, roles, windows, backlog } keys of one room.
-- Makes `uid` a member with role 'u': window, join line to the others, window + members + recent
-- messages to the joiner's sessions. Returns the joiner's windowId.
local function join_member(P, K, uid, nick, suffix, now, max_backlog, burst)
  local g = redis.call('HMGET', K.group, 'name', 'topic')
  local name, topic = g[1], g[2] or ''
  redis.call('SADD', K.members, uid)
  redis.call('HSET', K.roles, uid, 'u' .. nick)
  local _, msg = store_message(K.group, K.backlog, max_backlog, now, 'join', nick .. ' joined', nick, uid)
  -- The others (the joiner is not in groupwindows yet) see the new member and the join line.
  to_members(P, K.windows, function(w)
    return { cjson.encode({ type = 'UPDATE_MEMBERS', windowId = tonumber(w), members = { { nick = nick, userId = tonumber(uid), role = 'u' } } }), message_json(w, msg) }
  end, nil, nil)
  local wid = make_window(P, uid, name, suffix, 'u', topic)
  redis.call('HSET', K.windows, uid, wid)
  local bodies = {
    add_window_json(wid, name, topic, 'u'),
    cjson.encode({ type = 'UPDATE_MEMBERS', windowId = wid, reset = true, members = members_of(K.roles, K.bots) }),
  }
  -- (LRANGE 0 -1 would be the whole backlog; and cjson writes an empty list as {}.)
  if burst > 0 then
    local recent = redis.call('LRANGE', K.backlog, 0, burst - 1)
    local messages = {}
    for i = #recent, 1, -1 do messages[#messages + 1] = cjson.decode(recent[i]) end
    if #messages > 0 then bodies[#bodies + 1] = cjson.encode({ type = 'ADD_MESSAGES', messages = { { windowId = wid, messages = messages } } }) end
  end
  tell(P, uid, bodies)
  return wid
end

-- Tells the room's owner and operators something (each in their own window).
local function to_moderators(P, K, make)
  local flat = redis.call('HGETALL', K.roles)
  for i = 1, #flat, 2 do
    local role = string.sub(flat[i + 1], 1, 1)
    local wid = redis.call('HGET', K.windows, flat[i])
    if (role == '*' or role == '@') and wid then tell(P, flat[i], make(wid)) end
  end
end

-- The caller's role and nick in the room, if the window they named is theirs there.
local function member(K, uid, wid)
  if redis.call('HGET', K.windows, uid) ~= tostring(wid) then return nil end
  local entry = redis.call('HGET', K.roles, uid)
  return string.sub(entry, 1, 1), string.sub(entry, 2)
end

-- `with_bots`: the script takes the room's groupbots as KEYS[8] (send.lua's KEYS[8] is another key).
local function room_keys(KEYS, with_bots)
  return { group = KEYS[1], members = KEYS[2], roles = KEYS[3], windows = KEYS[4], backlog = KEYS[5], bots = with_bots and KEYS[8] or nil }
end

-- The room's bots leave with the room: each bot's botrooms set forgets it, and a bot in no room
-- any more leaves assignedbots (P.botRooms: the prefix of botrooms:<botId>; P.assignedBots: the key).
local function forget_bots(P, K)
  if not K.bots then return end
  local name = redis.call('HGET', K.group, 'name')
  for _, id in ipairs(redis.call('HKEYS', K.bots)) do
    if name then redis.call('SREM', P.botRooms .. id, name) end
    if redis.call('SCARD', P.botRooms .. id) == 0 then redis.call('SREM', P.assignedBots, id) end
  end
  redis.call('DEL', K.bots)
end

-- Gives `uid` the role (`*` owner, `@`, `+`, `u`); a new owner demotes the old one to `@`. Every
-- member's sessions get UPDATE_MEMBERS (and the member's own window its UPDATE_WINDOW role), and
-- the room an info line.
local function set_role(P, K, uid, role, now, max_backlog, by_nick)
  local entry = redis.call('HGET', K.roles, uid)
  if not entry then return false end
  local nick = string.sub(entry, 2)
  local changed = { { uid = uid, role = role, nick = nick } }
  if role == '*' then
    local old = redis.call('HGET', K.group, 'owner')
    local old_entry = old and redis.call('HGET', K.roles, old)
    if old_entry and old ~= uid then
      redis.call('HSET', K.roles, old, '@' .. string.sub(old_entry, 2))
      changed[#changed + 1] = { uid = old, role = '@', nick = string.sub(old_entry, 2) }
    end
    redis.call('HSET', K.group, 'owner', uid)
  end
  redis.call('HSET', K.roles, uid, role .. nick)
  local names = { ['*'] = 'owner', ['@'] = 'operator', ['+'] = 'voice', ['u'] = 'member' }
  local _, msg = store_message(K.group, K.backlog, max_backlog, now, 'info', by_nick .. ' made ' .. nick .. ' ' .. names[role], by_nick, nil)
  local members = {}
  for _, c in ipairs(changed) do members[#members + 1] = { nick = c.nick, userId = tonumber(c.uid), role = c.role } end
  to_members(P, K.windows, function(w)
    return { cjson.encode({ type = 'UPDATE_MEMBERS', windowId = tonumber(w), members = members }), message_json(w, msg) }
  end, nil, nil)
  for _, c in ipairs(changed) do
    local w = redis.call('HGET', K.windows, c.uid)
    if w then
      redis.call('HSET', window_key(P, c.uid, w), 'userMode', c.role)
      tell(P, c.uid, { cjson.encode({ type = 'UPDATE_WINDOW', windowId = tonumber(w), role = c.role }) })
    end
  end
  return true
end

-- Removes a member: their window goes (DELETE_WINDOW to all their sessions), the others see a
-- `cat` line (part or kick) and DELETE_MEMBERS. An owner who leaves hands the room to an operator,
-- else to another member; the last member leaving removes the room with all its keys (`extra`).
local function remove_member(P, K, uid, suffix, now, max_backlog, cat, line, extra)
  local wid = redis.call('HGET', K.windows, uid)
  local entry = redis.call('HGET', K.roles, uid) or 'u'
  local role, nick = string.sub(entry, 1, 1), string.sub(entry, 2)
  redis.call('SREM', K.members, uid)
  redis.call('HDEL', K.roles, uid)
  redis.call('HDEL', K.windows, uid)
  if wid then
    drop_window(P, uid, wid, suffix)
    tell(P, uid, { cjson.encode({ type = 'DELETE_WINDOW', windowId = tonumber(wid) }) })
  end
  if redis.call('SCARD', K.members) == 0 then
    forget_bots(P, K)
    redis.call('DEL', K.group, K.members, K.roles, K.windows, K.backlog, unpack(extra))
    return
  end
  local _, msg = store_message(K.group, K.backlog, max_backlog, now, cat, line, nick, uid)
  to_members(P, K.windows, function(w)
    return { cjson.encode({ type = 'DELETE_MEMBERS', windowId = tonumber(w), members = { { nick = nick, userId = tonumber(uid) } } }), message_json(w, msg) }
  end, nil, nil)
  if role == '*' then
    -- The heir: an operator before a voiced member before a member; the oldest account among equals.
    local rank = { ['@'] = 3, ['+'] = 2, ['u'] = 1 }
    local heir, heir_rank = nil, 0
    local flat = redis.call('HGETALL', K.roles)
    for i = 1, #flat, 2 do
      local r = rank[string.sub(flat[i + 1], 1, 1)] or 0
      if r > heir_rank or (r == heir_rank and heir and tonumber(flat[i]) < tonumber(heir)) then heir, heir_rank = flat[i], r end
    end
    if heir then set_role(P, K, heir, '*', now, max_backlog, nick) end
  end
end
