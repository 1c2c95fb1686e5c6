-- send: one direct message from A.uid to A.peer: policy checks, the conversation's next number,
-- de-duplication by the client's message id, both windows' history, the sender's send timeline
-- and the receiver's receive timeline, delivery to both users' sessions (not the sending one),
-- and the receiver's offline timeline when none of their sessions has a socket. One atomic step.
-- (outbox lib + request lib + im-lib first.)
--
-- ARGV[1] JSON A: P, K, R, now, uid, peer, text, C = { key, suffixU, suffixP },
--         clientMsgKey, clientMsgTtl (s), backlog (per window), timelineMax, offlineMax
-- Answers { gid, ts }; a repeat of a stored clientMsgId answers the first one's.
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local P, K, C = A.P, A.K, A.C
local uid, peer = tostring(A.uid), tostring(A.peer)
if uid == peer then return fail(A.R, 'BAD_REQUEST', 'that is you') end
local first = redis.call('GET', A.clientMsgKey)
if first then return ok(A.R, first) end
local peer_nick, code, message = may_write(P, K, uid, peer)
if not peer_nick then return fail(A.R, code, message) end
local nick = nick_of(P, uid)
local gid = redis.call('HINCRBY', C.key, 'seq', 1)
local wid, made = dm_window(P, C, uid, peer, peer_nick, C.suffixU)
local pwid, pmade = dm_window(P, C, peer, uid, nick, C.suffixP)
local msg = cjson.encode({ gid = gid, ts = A.now, cat = 'msg', body = A.text, nick = nick, userId = tonumber(uid) })
local sep = P.separator
for _, side in ipairs({ { uid, wid }, { peer, pwid } }) do
  local key = P.windowMsgs .. side[1] .. sep .. side[2]
  if redis.call('LPUSH', key, msg) > A.backlog then redis.call('LTRIM', key, 0, A.backlog - 1) end
end
local unread = redis.call('HINCRBY', P.window .. peer .. sep .. pwid, 'unread', 1)
-- The seed's packet: who, to whom, which message of the conversation, when, what.
local packet = cjson.encode({ id = C.id .. '-' .. gid, from = tonumber(uid), to = tonumber(peer), gid = gid, ts = A.now, body = A.text, nick = nick })
redis.call('SADD', K.dmUsers, uid, peer)
redis.call('ZADD', K.send .. uid, A.now, packet)
cap_zset(K.send .. uid, A.timelineMax)
redis.call('ZADD', K.receive .. peer, A.now, packet)
cap_zset(K.receive .. peer, A.timelineMax)
local function added(w)
  return '{"type":"ADD_MESSAGE","windowId":' .. w .. ',' .. string.sub(msg, 2)
end
local to_peer = {}
if pmade then to_peer[1] = add_window_json(pwid, uid, nick, unread - 1) end
to_peer[#to_peer + 1] = added(pwid)
-- Into the sessions' outboxes (a resumed session gets it), and offline when nobody is here to
-- see it now: the next login's burst carries it.
tell(P, peer, to_peer)
if not connected(P, K, peer) then
  -- Scored by time, but always above what is there and above what a session acknowledged (clocks
  -- of several im-routers differ): OFFLINE_DELIVERED removes by score.
  local score = A.now
  local newest = redis.call('ZREVRANGE', K.offline .. peer, 0, 0, 'WITHSCORES')[2]
  local floor = redis.call('HGET', K.offlineFloor, peer)
  if newest and tonumber(newest) >= score then score = tonumber(newest) + 1 end
  if floor and tonumber(floor) >= score then score = tonumber(floor) + 1 end
  redis.call('ZADD', K.offline .. peer, score, packet)
  cap_zset(K.offline .. peer, A.offlineMax)
end
local to_self = {}
if made then to_self[1] = add_window_json(wid, peer, peer_nick, 0) end
to_self[#to_self + 1] = added(wid)
tell(P, uid, to_self, A.R and A.R.sessionId or '')
local result = '"gid":' .. gid .. ',"ts":' .. A.now
redis.call('SET', A.clientMsgKey, result, 'EX', A.clientMsgTtl)
return ok(A.R, result)
