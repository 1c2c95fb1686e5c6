-- lib/outbox: functions shared by the scripts that tell users things (notify.lua, answer.lua, and
-- backends' own scripts that change state and notify in the same step). A script that uses them is
-- this file followed by its own body (LuaScript.compose).

-- What this script has to tell gateways, per gateway channel: the sessions it woke (`wake`) and
-- the answers it stored (`replies`, JSON texts). `publish_notices` sends one message per gateway,
-- however many sessions and answers it concerns.
local NOTICES = {}
local NOTICE_CHANNELS = {}

local function notices_for(channel)
  local n = NOTICES[channel]
  if not n then
    n = { wake = {}, replies = {} }
    NOTICES[channel] = n
    NOTICE_CHANNELS[#NOTICE_CHANNELS + 1] = channel
  end
  return n
end

-- Appends `bodies` (JSON objects without `seq`) to the outbox of each live session of one user,
-- each with its session's next seq, and marks the session to be woken on its gateway's channel
-- (`channel_prefix` .. instance). `only`: just this session ('' for all); `except`: every session
-- but this one (''). An outbox that passes `max` is cut and its session marked `reinit`. Returns
-- the ids of the sessions notified. The script must call `publish_notices` before it returns.
local function append_to_user(sessionlist, session_prefix, outbox_prefix, channel_prefix, bodies, only, except, max)
  local sessions
  if only ~= '' then
    if not redis.call('ZSCORE', sessionlist, only) then return {} end
    sessions = { only }
  else
    sessions = redis.call('ZRANGE', sessionlist, 0, -1)
  end
  local count = #bodies
  local notified = {}
  if count == 0 then return notified end
  for _, sid in ipairs(sessions) do
    if sid ~= except then
      local session = session_prefix .. sid
      -- One read: is the hash there (a session listed without it is stale, its expiry under way:
      -- it gets nothing), its next seq, and the gateway to wake.
      local s = redis.call('HMGET', session, 'listenRcvNext', 'gateway')
      if s[1] then
        local first = tonumber(s[1])
        redis.call('HSET', session, 'listenRcvNext', first + count)
        local outbox = outbox_prefix .. sid
        local entries = {}
        for i = 1, count do
          entries[i] = '{"seq":' .. (first + i - 1) .. ',' .. string.sub(bodies[i], 2)
        end
        if redis.call('RPUSH', outbox, unpack(entries)) > max then
          redis.call('DEL', outbox)
          redis.call('HSET', session, 'reinit', '1')
        end
        notified[#notified + 1] = sid
        -- A session no gateway has taken yet is read when one does: nobody to wake.
        if s[2] then
          local wake = notices_for(channel_prefix .. s[2]).wake
          wake[#wake + 1] = sid
        end
      end
    end
  end
  return notified
end

-- Stores the answer of a claimed request (`P<ms>` in the session's replies hash), to be announced
-- to the gateway waiting for it (`channel`: its own) by `publish_notices`. Returns 1 when stored,
-- 0 when the request was not waiting (answered already, or its session is gone).
-- `stored_json`, when given, is what is kept for a repeat instead of the answer itself (an answer
-- that carries a secret is shown once). `checked`: the caller has just made sure it is waiting.
local function answer_request(replies, request_id, answer_json, channel, session_id, stored_json, checked)
  if not checked then
    local current = redis.call('HGET', replies, request_id)
    if not current or string.sub(current, 1, 1) ~= 'P' then return 0 end
  end
  redis.call('HSET', replies, request_id, stored_json or answer_json)
  -- The answer travels with the announcement: the waiting gateway need not read it back (by then
  -- a burst of later requests may have pruned it).
  local list = notices_for(channel).replies
  list[#list + 1] = '{"sessionId":' .. cjson.encode(session_id) .. ',"requestId":' .. cjson.encode(request_id) .. ',"answer":' .. answer_json .. '}'
  return 1
end

-- Tells each gateway what concerns it: protocol's NotifyMessage `{ wake: [...], replies: [...] }`
-- (each part only when there is some) on its channel, one message per gateway.
local function publish_notices()
  for _, channel in ipairs(NOTICE_CHANNELS) do
    local n = NOTICES[channel]
    local parts = {}
    if #n.wake > 0 then parts[#parts + 1] = '"wake":' .. cjson.encode(n.wake) end
    if #n.replies > 0 then parts[#parts + 1] = '"replies":[' .. table.concat(n.replies, ',') .. ']' end
    redis.call('PUBLISH', channel, '{' .. table.concat(parts, ',') .. '}')
  end
  NOTICES = {}
  NOTICE_CHANNELS = {}
end
