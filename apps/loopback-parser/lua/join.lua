-- join: a user joins a room (policy, password and bans checked here, in the same step as the join).
-- (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- KEYS[6] the room's black-list  KEYS[7] the room's join requests (score 0: invited or approved)
-- KEYS[8] groupbots (the room's service bots, in the joiner's member list)
-- ARGV[1] JSON: P, R, uid, nick, suffix, passwordChecked (the stored hash the caller verified the
--         given password against, or ''), now, maxBacklog, burst (messages the joiner gets)
-- Answers { windowId }, NOT_FOUND, ALREADY_JOINED, BANNED, INCORRECT_PASSWORD, or FORBIDDEN
-- (invitation only; or, under the approval policy, the request is recorded and the moderators told).
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local K = room_keys(KEYS, true)
local uid = tostring(A.uid)
if redis.call('EXISTS', K.group) == 0 then return fail(A.R, 'NOT_FOUND', 'no such room') end
if redis.call('SISMEMBER', K.members, uid) == 1 then return fail(A.R, 'ALREADY_JOINED', 'already in this room') end
if is_banned(KEYS[6], uid, A.nick) then return fail(A.R, 'BANNED', 'you are banned from this room') end
local g = redis.call('HMGET', K.group, 'policy', 'password')
local policy, hash = g[1], g[2]
local invited = redis.call('ZSCORE', KEYS[7], uid)
local admitted = invited and tonumber(invited) == 0
if policy == 'password' and not admitted and (not hash or hash ~= A.passwordChecked) then
  return fail(A.R, 'INCORRECT_PASSWORD', 'wrong room password')
end
if policy == 'invite' and not admitted then return fail(A.R, 'FORBIDDEN', 'this room is by invitation only') end
if policy == 'approval' and not admitted then
  if not invited then
    redis.call('ZADD', KEYS[7], A.now, uid)
    to_moderators(A.P, K, function(w)
      return { cjson.encode({ type = 'JOIN_REQUEST', windowId = tonumber(w), userId = tonumber(uid), nick = A.nick }) }
    end)
  end
  return fail(A.R, 'FORBIDDEN', 'your request to join waits for a moderator')
end
redis.call('ZREM', KEYS[7], uid)
local wid = join_member(A.P, K, uid, A.nick, A.suffix, A.now, A.maxBacklog, A.burst)
return ok(A.R, '"windowId":' .. wid)
