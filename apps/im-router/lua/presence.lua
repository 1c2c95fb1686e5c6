-- presence: a session of A.uid started or ended. The user's login hash (`im:user:login:<uid>`)
-- gets or loses the session's device; their friends are told when the user came online (first
-- live session) or went offline (no session left), once per change.
-- (outbox lib + request lib + im-lib first.)
--
-- ARGV[1] JSON A: P, K, now, uid, op ('started' | 'ended' | 'check': only look again), sessionId,
--         device (started: { type, ip, gateway, loginAt }; a resumed session has none)
-- Returns 1 when the user's presence changed, else 0.
local A = cjson.decode(ARGV[1])
local P, K = A.P, A.K
local uid = tostring(A.uid)
local login = K.login .. uid
if A.op == 'started' and A.device then
  -- A session that ended before this job ran is not recorded.
  if redis.call('ZSCORE', P.sessionList .. uid, A.sessionId) then
    A.device.sessionId = A.sessionId
    redis.call('HSET', login, A.sessionId, cjson.encode(A.device))
  end
elseif A.op == 'ended' then
  redis.call('HDEL', login, A.sessionId)
end
local online = connected(P, K, uid)
local was = redis.call('HGET', K.presence, uid) == 'online'
if online == was then return 0 end
redis.call('HSET', K.presence, uid, online and 'online' or tostring(A.now))
local entry = friend_entry(P, K, uid)
if entry then
  local body = friends_json({ entry }, false)
  for _, fid in ipairs(redis.call('SMEMBERS', P.friends .. uid)) do tell(P, fid, { body }) end
end
publish_notices()
return 1
