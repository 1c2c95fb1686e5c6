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
-- Returns per item its gid, 0 when its window is gone, or -1 when its line was handled before.
local A = cjson.decode(ARGV[1])
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
local bodies = {}
for i, item in ipairs(A.items) do
  local window, msgs = KEYS[2 * i], KEYS[2 * i + 1]
  if item.seq and item.seq <= last_seq then
    gids[i] = -1
  elseif redis.call('EXISTS', window) == 1 then
    if item.seq and item.seq > top then top = item.seq end
    local gid = redis.call('HINCRBY', window, 'nextgid', 1)
    local msg = { gid = gid, ts = item.ts, cat = item.cat, body = item.body, nick = item.nick }
    local json = cjson.encode(msg)
    if redis.call('LPUSH', msgs, json) > A.max then redis.call('LTRIM', msgs, 0, A.max - 1) end
    gids[i] = gid
    bodies[#bodies + 1] = '{"type":"ADD_MESSAGE","windowId":' .. item.wid .. ',' .. string.sub(json, 2)
  else
    gids[i] = 0
    if item.seq and item.seq > top then top = item.seq end
  end
end
if A.conn and top > last_seq then redis.call('HSET', KEYS[1], 'lastline', A.conn .. ':' .. top) end
local s = A.P.separator
append_to_user(A.P.sessionList .. A.uid, A.P.session .. A.uid .. s, A.P.outbox .. A.uid .. s, A.P.gatewayChannel,
  bodies, '', A.except or '', A.P.max)
publish_notices()
return gids
