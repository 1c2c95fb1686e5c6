-- friends: friend requests, verdicts, removal and blocks between A.uid and A.target, each one
-- atomic step that keeps the IM contact hashes and MAS's friends:<uid> sets in step.
-- (outbox lib + request lib + im-lib first.)
--
-- ARGV[1] JSON A: P, K, R, now, op ('request' | 'verdict' | 'remove' | 'block' | 'unblock'),
--         uid, target, allow (verdict)
-- request answers { state = 'REQUESTED' | 'FRIENDS' }; the others { }.
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local P, K = A.P, A.K
local uid, target = tostring(A.uid), tostring(A.target)

if uid == target then return fail(A.R, 'BAD_REQUEST', 'that is you') end
if not nick_of(P, target) then return fail(A.R, 'NOT_FOUND', 'no such user') end

local function unfriend(a, b)
  redis.call('HDEL', K.contact .. a, b)
  redis.call('HDEL', K.contact .. b, a)
  redis.call('SREM', P.friends .. a, b)
  redis.call('SREM', P.friends .. b, a)
end

local function befriend(a, b)
  local since = cjson.encode({ since = A.now })
  redis.call('HSET', K.contact .. a, b, since)
  redis.call('HSET', K.contact .. b, a, since)
  redis.call('SADD', P.friends .. a, b)
  redis.call('SADD', P.friends .. b, a)
  redis.call('ZREM', K.request .. a, b)
  redis.call('ZREM', K.request .. b, a)
  tell(P, a, { friends_json({ friend_entry(P, K, b) }, false) })
  tell(P, b, { friends_json({ friend_entry(P, K, a) }, false) })
end

if A.op == 'request' then
  if blocked_either(K, uid, target) then return fail(A.R, 'FORBIDDEN', REFUSED) end
  if are_friends(K, uid, target) then return fail(A.R, 'ERROR_EXISTS', 'you are friends already') end
  if redis.call('ZSCORE', K.request .. target, uid) then return fail(A.R, 'ERROR_EXISTS', 'you asked already') end
  -- They asked first: asking back is saying yes.
  if redis.call('ZSCORE', K.request .. uid, target) then
    befriend(uid, target)
    return ok(A.R, '"state":"FRIENDS"')
  end
  local policy = setting(P, target, 'friendRequests', 'ask')
  if policy == 'refuse' then return fail(A.R, 'FORBIDDEN', REFUSED) end
  if policy == 'accept' then
    befriend(uid, target)
    return ok(A.R, '"state":"FRIENDS"')
  end
  redis.call('ZADD', K.request .. target, A.now, uid)
  tell(P, target, { cjson.encode({ type = 'FRIEND_REQUEST', userId = tonumber(uid), nick = nick_of(P, uid) }) })
  return ok(A.R, '"state":"REQUESTED"')
end

if A.op == 'verdict' then
  -- uid answers target's request.
  if not redis.call('ZSCORE', K.request .. uid, target) then return fail(A.R, 'NOT_FOUND', 'no such friend request') end
  if A.allow and not blocked_either(K, uid, target) then
    befriend(uid, target)
  else
    redis.call('ZREM', K.request .. uid, target)
  end
  return ok(A.R)
end

if A.op == 'remove' then
  if not are_friends(K, uid, target) then return fail(A.R, 'NOT_FOUND', 'not a friend') end
  unfriend(uid, target)
  tell(P, uid, { full_friends_json(P, K, uid) })
  tell(P, target, { full_friends_json(P, K, target) })
  return ok(A.R)
end

if A.op == 'block' then
  redis.call('HSET', K.black .. uid, target, cjson.encode({ since = A.now }))
  -- A block ends the friendship and any request either way.
  redis.call('ZREM', K.request .. uid, target)
  redis.call('ZREM', K.request .. target, uid)
  if are_friends(K, uid, target) then
    unfriend(uid, target)
    tell(P, uid, { full_friends_json(P, K, uid) })
    tell(P, target, { full_friends_json(P, K, target) })
  end
  return ok(A.R)
end

if A.op == 'unblock' then
  if redis.call('HDEL', K.black .. uid, target) == 0 then return fail(A.R, 'NOT_FOUND', 'not blocked') end
  return ok(A.R)
end

return fail(A.R, 'BAD_REQUEST', 'unknown friends operation')
