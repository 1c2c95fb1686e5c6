-- expire: drops what of A.uid's direct messages is older than A.cutoff (ms): the send, receive
-- and offline timelines, and the history of each of their 1on1 windows on the built-in network
-- (A.max entries per window at most per run). A user left with nothing leaves im:dm-users.
-- (outbox lib + request lib + im-lib first; nothing is told: expired history just is not there.)
--
-- ARGV[1] JSON A: P, K, uid, cutoff, max
-- Returns how many entries went.
local A = cjson.decode(ARGV[1])
local P, K = A.P, A.K
local uid = tostring(A.uid)
local before = '(' .. A.cutoff
local gone = 0
local left = 0
for _, key in ipairs({ K.send .. uid, K.receive .. uid, K.offline .. uid }) do
  gone = gone + redis.call('ZREMRANGEBYSCORE', key, '-inf', before)
  left = left + redis.call('ZCARD', key)
end
for _, entry in ipairs(redis.call('SMEMBERS', P.windowList .. uid)) do
  local wid = string.match(entry, '^(%d+):parley:[^:]*:1on1$')
  if wid then
    local key = P.windowMsgs .. uid .. P.separator .. wid
    for _ = 1, A.max do
      local oldest = redis.call('LINDEX', key, -1)
      local ts = oldest and tonumber(string.match(oldest, '"ts":(%d+)'))
      if not ts or ts >= A.cutoff then break end
      redis.call('RPOP', key)
      gone = gone + 1
    end
    left = left + redis.call('LLEN', key)
  end
end
if left == 0 then redis.call('SREM', K.dmUsers, uid) end
return gone
