-- messages: messages of an IRC connection into the user's windows (`windowmsgs`, newest first,
-- bounded), each with its window's next gid, and ADD_MESSAGE to the user's sessions — in one
-- step, together with the mark of the lines they came from, so a line handled again after a
-- crash (its batch redelivered, perhaps cut into other runs) stores nothing twice. (outbox lib first.)
--
-- KEYS[1] networks:<userId>:<network>  KEYS[2 + 2(i-1)] window:<userId>:<wid of item i>
-- KEYS[3 + 2(i-1)] windowmsgs:<userId>:<wid of item i>
-- ARGV[1] JSON: P, uid, max (backlog bound), conn (the socket the lines came from, or absent),
--         except (a session not to tell: the one whose own SEND this is, or ''),
--         items = [{ wid, cat, body, nick, ts, seq (the line's number on `conn`, or absent) }]
--         own (the user's own SEND with a client id: KEYS[#KEYS] is its ircclientmsg key, kept
--         ownTtl seconds)
-- Returns per item its gid, 0 when its window is gone, or -1 when its line was handled before.
-- With `own`: { ts, gid per item }, the ts and gids the first time that SEND was stored (a SEND
-- handled again stores nothing and tells nobody).
local A = cjson.decode(ARGV[1])
if A.own then
  local known = redis.call('HMGET', KEYS[#KEYS], 'ts', 'gids')
  if known[1] then
    local out = cjson.decode(known[2])
    table.insert(out, 1, tonumber(known[1]))
    return out
  end
end
local last_seq = -1
if A.conn then
  local last = redis.call('HGET', KEYS[1], 'lastline')
  if last then
    local conn, seq = string.match(last, '^(.*):(%d+)$')
    if conn == A.conn then last_seq = tonumber(seq) end
  end
end
local top = last_seq
local gids = {}
-- Each window of the run: checked once, its gids claimed at once, its messages pushed at once.
local present, count, msgs_of, order = {}, {}, {}, {}
for i, item in ipairs(A.items) do
  local window = KEYS[2 * i]
  if item.seq and item.seq <= last_seq then
    gids[i] = -1
  else
    if item.seq and item.seq > top then top = item.seq end
    if present[window] == nil then
      present[window] = redis.call('EXISTS', window) == 1
      if present[window] then
        order[#order + 1] = window
        count[window] = 0
        msgs_of[window] = KEYS[2 * i + 1]
      end
    end
    if present[window] then
      count[window] = count[window] + 1
      gids[i] = false -- given below
    else
      gids[i] = 0
    end
  end
end
local next_gid = {}
for _, window in ipairs(order) do
  next_gid[window] = redis.call('HINCRBY', window, 'nextgid', count[window]) - count[window] + 1
end
local pushed = {}
local bodies = {}
for i, item in ipairs(A.items) do
  if gids[i] == false then
    local window = KEYS[2 * i]
    local gid = next_gid[window]
    next_gid[window] = gid + 1
    local json = cjson.encode({ gid = gid, ts = item.ts, cat = item.cat, body = item.body, nick = item.nick })
    gids[i] = gid
    local list = pushed[window]
    if not list then
      list = {}
      pushed[window] = list
    end
    list[#list + 1] = json
    bodies[#bodies + 1] = '{"type":"ADD_MESSAGE","windowId":' .. item.wid .. ',' .. string.sub(json, 2)
  end
end
for _, window in ipairs(order) do
  local msgs = msgs_of[window]
  if redis.call('LPUSH', msgs, unpack(pushed[window])) > A.max then redis.call('LTRIM', msgs, 0, A.max - 1) end
end
if A.conn and top > last_seq then redis.call('HSET', KEYS[1], 'lastline', A.conn .. ':' .. top) end
local s = A.P.separator
append_to_user(A.P.sessionList .. A.uid, A.P.session .. A.uid .. s, A.P.outbox .. A.uid .. s, A.P.gatewayChannel,
  bodies, '', A.except or '', A.P.max)
publish_notices()
if A.own then
  -- Not remembered when its window was gone: a retry once the window is back is stored then.
  if gids[1] > 0 then
    redis.call('HSET', KEYS[#KEYS], 'ts', A.items[1].ts, 'gids', cjson.encode(gids))
    redis.call('EXPIRE', KEYS[#KEYS], A.ownTtl)
  end
  table.insert(gids, 1, A.items[1].ts)
end
return gids
