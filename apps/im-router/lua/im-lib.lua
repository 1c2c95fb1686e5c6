-- im-lib: what the im-router scripts share (preceded by packages/inbox's lib/outbox.lua and
-- lib/request.lua: tell, answered, reply, ok, fail). Every script takes one JSON argument A with:
--   A.P  key prefixes from key-schema's USER_KEY_PREFIXES (+ friends, settings), A.P.max (outbox bound)
--   A.K  the IM key prefixes (under the configured IM prefix): contact, black, request, presence,
--        send, receive, offline, receipt; and the keys of this step's conversation when it has one
--   A.R  where the answer goes (lib/request.lua), A.now (ms)
-- Refusals by a user's rules (blocks, policies) all say the same thing: which rule refused is
-- nobody else's business.

local REFUSED = 'not allowed by the other user'

local function nick_of(P, uid)
  return redis.call('HGET', P.user .. uid, 'nick')
end

-- A user setting (settings:<uid> holds JSON values; a bare string written by hand is taken as is).
local function setting(P, uid, name, default)
  local raw = redis.call('HGET', P.settings .. uid, name)
  if not raw then return default end
  local ok, value = pcall(cjson.decode, raw)
  if ok and type(value) == 'string' then return value end
  return raw
end

local function blocked_either(K, a, b)
  return redis.call('HEXISTS', K.black .. a, b) == 1 or redis.call('HEXISTS', K.black .. b, a) == 1
end

local function are_friends(K, a, b)
  return redis.call('HEXISTS', K.contact .. a, b) == 1
end

-- Is the user here: a session whose socket is connected, held by a gateway that is alive (one
-- that died or left holds nobody)? A session without a socket lives on for a while, resumable,
-- but its user is away.
local function connected(P, K, uid)
  for _, sid in ipairs(redis.call('ZRANGE', P.sessionList .. uid, 0, -1)) do
    local s = redis.call('HMGET', P.session .. uid .. P.separator .. sid, 'connected', 'gateway')
    if s[1] == '1' and s[2] and redis.call('ZSCORE', K.gateways, s[2]) then return true end
  end
  return false
end

-- May uid open a conversation with peer, or write to them? The peer exists, no block either way,
-- and the peer's `directMessages` policy lets uid in. Returns the peer's nick, or nil and the
-- error's code and message.
local function may_write(P, K, uid, peer)
  if uid == peer then return nil, 'BAD_REQUEST', 'that is you' end
  local peer_nick = nick_of(P, peer)
  if not peer_nick then return nil, 'NOT_FOUND', 'no such user' end
  if blocked_either(K, uid, peer) or (setting(P, peer, 'directMessages', 'anyone') == 'friends' and not are_friends(K, peer, uid)) then
    return nil, 'FORBIDDEN', REFUSED
  end
  return peer_nick
end

-- How a user shows in a friend list: online while they have a live session, else since when not.
local function friend_entry(P, K, fid)
  local nick = nick_of(P, fid)
  if not nick then return nil end
  local entry = { userId = tonumber(fid), nick = nick, online = redis.call('HGET', K.presence, fid) == 'online' }
  if not entry.online then
    local seen = tonumber(redis.call('HGET', K.presence, fid))
    if seen then entry.lastSeen = seen end
  end
  return entry
end

local function friends_json(entries, reset)
  local body = { type = 'UPDATE_FRIENDS', friends = entries }
  if reset then body.reset = true end
  -- cjson writes an empty table as {}: the list must be a JSON array.
  if #entries == 0 then
    return reset and '{"type":"UPDATE_FRIENDS","reset":true,"friends":[]}' or '{"type":"UPDATE_FRIENDS","friends":[]}'
  end
  return cjson.encode(body)
end

-- The whole friend list of uid, as an UPDATE_FRIENDS that replaces the client's.
local function full_friends_json(P, K, uid)
  local entries = {}
  for _, fid in ipairs(redis.call('SMEMBERS', P.friends .. uid)) do
    local e = friend_entry(P, K, fid)
    if e then entries[#entries + 1] = e end
  end
  return friends_json(entries, true)
end

-- The 1on1 window of uid in a conversation, made when it is not there (also after uid closed it).
-- Returns its id and whether it was made.
local function dm_window(P, C, uid, peer, peer_nick, suffix)
  local wid = redis.call('HGET', C.key, 'w:' .. uid)
  if wid then return wid, false end
  wid = tostring(redis.call('HINCRBY', P.user .. uid, 'nextwindowid', 1))
  redis.call('HSET', P.window .. uid .. P.separator .. wid, 'name', peer_nick, 'type', '1on1', 'network', 'parley',
    'targetUserId', peer, 'topic', '', 'userMode', 'u', 'visible', 'true', 'sounds', 'false', 'titleAlert', 'false',
    'readGid', 0, 'unread', 0)
  redis.call('SADD', P.windowList .. uid, wid .. suffix)
  redis.call('HSET', C.key, 'w:' .. uid, wid)
  return wid, true
end

local function add_window_json(wid, peer, peer_nick, unread)
  return cjson.encode({ type = 'ADD_WINDOW', windowId = tonumber(wid), network = 'parley', name = peer_nick, windowType = '1on1',
    topic = '', role = 'u', userId = tonumber(peer), unread = unread, visible = true, sounds = false, titleAlert = false })
end

-- Keeps a sorted-set timeline at most `max` long (the oldest go).
local function cap_zset(key, max)
  if redis.call('ZCARD', key) > max then redis.call('ZREMRANGEBYRANK', key, 0, -max - 1) end
end
