-- notify: append notifications to the outbox of each live session of one user (or of one session),
-- give each its session's next sequence number, and wake the gateways that hold the user's sockets.
--
-- KEYS[1]  sessionlist:<userId>       the user's sessions (zset by time)
-- ARGV[1]  'session:<userId>:'        (a session's hash is this followed by its id)
-- ARGV[2]  'outbox:<userId>:'         (a session's outbox is this followed by its id)
-- ARGV[3]  'notify:<userId>'          the pub/sub channel
-- ARGV[4]  the most entries an outbox may hold
-- ARGV[5]  only this session id, or '' for every session of the user
-- ARGV[6]  every session but this one (the one whose own action this is), or ''
-- ARGV[7..] the notifications, each a JSON object without `seq`
-- Returns the ids of the sessions notified.
--
-- The seq is given here, at append time, from the session's `listenRcvNext`, so a client that
-- resumes with its last seq gets exactly the entries after it. An outbox that would grow past the
-- bound (the client is gone, the session not yet expired) is cut and the session marked `reinit`:
-- its next connect gets a full init instead of a resume with holes.

local sessions
if ARGV[5] ~= '' then
  if not redis.call('ZSCORE', KEYS[1], ARGV[5]) then return {} end
  sessions = { ARGV[5] }
else
  sessions = redis.call('ZRANGE', KEYS[1], 0, -1)
end
local max = tonumber(ARGV[4])
local count = #ARGV - 6
local notified = {}
for _, sid in ipairs(sessions) do
  local session = ARGV[1] .. sid
  -- A session listed without its hash is stale (its expiry is under way): it gets nothing.
  if sid ~= ARGV[6] and redis.call('EXISTS', session) == 1 then
    local outbox = ARGV[2] .. sid
    local last = redis.call('HINCRBY', session, 'listenRcvNext', count)
    local entries = {}
    for i = 1, count do
      entries[i] = '{"seq":' .. (last - count + i - 1) .. ',' .. string.sub(ARGV[6 + i], 2)
    end
    if redis.call('LLEN', outbox) + count > max then
      redis.call('DEL', outbox)
      redis.call('HSET', session, 'reinit', '1')
    else
      redis.call('RPUSH', outbox, unpack(entries))
    end
    notified[#notified + 1] = sid
  end
end
-- protocol's NotifyMessage `{ wake: [...] }`.
if #notified > 0 then redis.call('PUBLISH', ARGV[3], '{"wake":' .. cjson.encode(notified) .. '}') end
return notified
