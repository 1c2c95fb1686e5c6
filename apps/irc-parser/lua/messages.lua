-- messages: messages of an IRC connection into the user's windows (`windowmsgs`, newest first,
-- bounded), each with its window's next gid, and ADD_MESSAGE to the user's sessions — in one
-- step, together with the mark of the line they came from, so a line handled again after a crash
-- (its batch redelivered) stores nothing twice. (outbox lib first.)
--
-- KEYS[1] networks:<userId>:<network>  KEYS[2 + 2(i-1)] window:<userId>:<wid of item i>
-- KEYS[3 + 2(i-1)] windowmsgs:<userId>:<wid of item i>
-- ARGV[1] JSON: P, uid, max (backlog bound), line ({ conn, seq } or absent), except (a session
--         not to tell: the one whose own SEND this is, or ''),
--         items = [{ wid, cat, body, nick, ts }]
-- Returns the gids given (0 for an item whose window is gone), or {} when the line was handled.
local A = cjson.decode(ARGV[1])
if A.line then
  local last = redis.call('HGET', KEYS[1], 'lastline')
  if last then
    local conn, seq = string.match(last, '^(.*):(%d+)$')
    if conn == A.line.conn and tonumber(seq) >= A.line.seq then return {} end
  end
  redis.call('HSET', KEYS[1], 'lastline', A.line.conn .. ':' .. A.line.seq)
end
local gids = {}
local bodies = {}
for i, item in ipairs(A.items) do
  local window, msgs = KEYS[2 * i], KEYS[2 * i + 1]
  if redis.call('EXISTS', window) == 1 then
    local gid = redis.call('HINCRBY', window, 'nextgid', 1)
    local msg = { gid = gid, ts = item.ts, cat = item.cat, body = item.body, nick = item.nick }
    local json = cjson.encode(msg)
    if redis.call('LPUSH', msgs, json) > A.max then redis.call('LTRIM', msgs, 0, A.max - 1) end
    gids[i] = gid
    bodies[#bodies + 1] = '{"type":"ADD_MESSAGE","windowId":' .. item.wid .. ',' .. string.sub(json, 2)
  else
    gids[i] = 0
  end
end
local s = A.P.separator
append_to_user(A.P.sessionList .. A.uid, A.P.session .. A.uid .. s, A.P.outbox .. A.uid .. s, A.P.gatewayChannel,
  bodies, '', A.except or '', A.P.max)
publish_notices()
return gids
