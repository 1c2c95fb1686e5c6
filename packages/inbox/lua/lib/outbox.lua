-- lib/outbox: functions shared by the scripts that tell users things (notify.lua, answer.lua, and
-- backends' own scripts that change state and notify in the same step). A script that uses them is
-- this file followed by its own body (LuaScript.compose).

-- Appends `bodies` (JSON objects without `seq`) to the outbox of each live session of one user,
-- each with its session's next seq, and wakes the gateways. `only`: just this session ('' for all);
-- `except`: every session but this one (''). An outbox that would pass `max` is cut and its session
-- marked `reinit`. Returns the ids of the sessions notified.
local function append_to_user(sessionlist, session_prefix, outbox_prefix, channel, bodies, only, except, max)
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
    local session = session_prefix .. sid
    -- A session listed without its hash is stale (its expiry is under way): it gets nothing.
    if sid ~= except and redis.call('EXISTS', session) == 1 then
      local outbox = outbox_prefix .. sid
      local last = redis.call('HINCRBY', session, 'listenRcvNext', count)
      if redis.call('LLEN', outbox) + count > max then
        redis.call('DEL', outbox)
        redis.call('HSET', session, 'reinit', '1')
      else
        local entries = {}
        for i = 1, count do
          entries[i] = '{"seq":' .. (last - count + i - 1) .. ',' .. string.sub(bodies[i], 2)
        end
        redis.call('RPUSH', outbox, unpack(entries))
      end
      notified[#notified + 1] = sid
    end
  end
  -- protocol's NotifyMessage `{ wake: [...] }`.
  if #notified > 0 then redis.call('PUBLISH', channel, '{"wake":' .. cjson.encode(notified) .. '}') end
  return notified
end

-- Stores the answer of a claimed request (`P<ms>` in the session's replies hash) and wakes the
-- gateway waiting for it. Returns 1 when stored, 0 when the request was not waiting (answered
-- already, or its session is gone).
-- `stored_json`, when given, is what is kept for a repeat instead of the answer itself (an answer
-- that carries a secret is shown once).
local function answer_request(replies, request_id, answer_json, channel, session_id, stored_json)
  local current = redis.call('HGET', replies, request_id)
  if not current or string.sub(current, 1, 1) ~= 'P' then return 0 end
  redis.call('HSET', replies, request_id, stored_json or answer_json)
  -- The answer travels with the wake-up: the waiting gateway need not read it back (by then a
  -- burst of later requests may have pruned it).
  redis.call('PUBLISH', channel, '{"reply":' .. cjson.encode({ sessionId = session_id, requestId = request_id }) .. ',"answer":' .. answer_json .. '}')
  return 1
end

