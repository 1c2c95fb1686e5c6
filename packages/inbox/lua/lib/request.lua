-- lib/request: answering a client request from a backend's script (preceded by lib/outbox.lua).
-- A script that answers a request gets its address as a table R:
--   { replies = 'sessionreplies:<u>:<s>', requestId, channel = 'notify:gateway:<instance>', sessionId }
-- (nil when the script runs for no request), and the key prefixes of users' keys as P (key-schema's
-- USER_KEY_PREFIXES and P.max, the outbox bound). Every script ends through `reply` (`ok`, `fail`),
-- or calls `publish_notices` itself: the gateways of the sessions told are woken, and the
-- request's gateway gets its answer.

-- Appends notification bodies to every live session of user `uid` (but `except_sid`).
local function tell(P, uid, bodies, except_sid)
  local s = P.separator
  return append_to_user(P.sessionList .. uid, P.session .. uid .. s, P.outbox .. uid .. s, P.gatewayChannel, bodies, '', except_sid or '', P.max)
end

-- A request answered already (delivered twice after a crash): nothing is done again. Every
-- script that answers a request starts with `if answered(A.R) then return 'DONE' end`.
local function answered(R)
  if not R then return false end
  local current = redis.call('HGET', R.replies, R.requestId)
  return not current or string.sub(current, 1, 1) ~= 'P'
end

-- Stores the answer of the script's request (`stored`, when given, is kept for a repeat instead of
-- `json`); `publish_notices` announces it. The script checked with `answered` at its start that
-- the answer is awaited.
local function answer(R, json, stored)
  if R then answer_request(R.replies, R.requestId, json, R.channel, R.sessionId, stored, true) end
end

-- The script's last step: the request is answered, and its gateway and those of the sessions
-- told hear of it (one message each).
local function reply(R, json, stored)
  answer(R, json, stored)
  publish_notices()
  return json
end

-- fields: a JSON object's inside without braces ('"windowId":5'), or ''.
local function ok(R, fields)
  if fields and fields ~= '' then return reply(R, '{"status":"OK",' .. fields .. '}') end
  return reply(R, '{"status":"OK"}')
end

local function error_json(code, message)
  return cjson.encode({ status = 'ERROR', code = code, message = message })
end

local function fail(R, code, message)
  return reply(R, error_json(code, message))
end
