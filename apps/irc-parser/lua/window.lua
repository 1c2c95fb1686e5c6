-- window: find a user's window of an IRC network (a channel, a query, or the server window `*`),
-- or make it: window hash, windowlist entry, and ADD_WINDOW to the user's sessions, in one step.
-- (outbox lib first.)
--
-- KEYS[1] windowlist:<userId>  KEYS[2] user:<userId>
-- ARGV[1] JSON: P (key prefixes, max), uid, suffix (`:<network>:<folded name>:<type>`), network,
--         name (as shown), type ('group' | '1on1'), create (false: only find), fields (more window
--         fields when made, e.g. password)
-- Returns { windowId, 1 if made now } or { 0, 0 } when not found and not made.
local A = cjson.decode(ARGV[1])
local suffix = A.suffix
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if string.sub(member, -#suffix) == suffix then
    local wid = string.sub(member, 1, #member - #suffix)
    if string.match(wid, '^%d+$') then return { tonumber(wid), 0 } end
  end
end
if not A.create then return { 0, 0 } end
local wid = redis.call('HINCRBY', KEYS[2], 'nextwindowid', 1)
local key = A.P.window .. A.uid .. A.P.separator .. wid
redis.call('HSET', key, 'name', A.name, 'type', A.type, 'network', A.network, 'topic', '', 'userMode', 'u',
  'visible', 'true', 'sounds', 'false', 'titleAlert', 'false', 'nextgid', 0)
for k, v in pairs(A.fields or {}) do redis.call('HSET', key, k, v) end
redis.call('SADD', KEYS[1], wid .. suffix)
local s = A.P.separator
append_to_user(A.P.sessionList .. A.uid, A.P.session .. A.uid .. s, A.P.outbox .. A.uid .. s, A.P.gatewayChannel,
  { cjson.encode({ type = 'ADD_WINDOW', windowId = wid, network = A.network, name = A.name, windowType = A.type,
    topic = '', role = 'u', visible = true, sounds = false, titleAlert = false }) }, '', '', A.P.max)
publish_notices()
return { wid, 1 }
