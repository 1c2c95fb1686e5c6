-- close: A.uid closes their 1on1 window A.wid: the window, its history and its entry go (the
-- conversation and the peer's window stay; a new message opens the window again).
-- (outbox lib + request lib + im-lib first.)
--
-- ARGV[1] JSON A: P, K, R, uid, wid, C = { key, suffixU }
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local P, C = A.P, A.C
local uid, wid = tostring(A.uid), tostring(A.wid)
local sep = P.separator
if redis.call('HGET', C.key, 'w:' .. uid) ~= wid then return fail(A.R, 'NOT_FOUND', 'no such window') end
redis.call('HDEL', C.key, 'w:' .. uid)
redis.call('DEL', P.window .. uid .. sep .. wid, P.windowMsgs .. uid .. sep .. wid)
redis.call('SREM', P.windowList .. uid, wid .. C.suffixU)
tell(P, uid, { '{"type":"DELETE_WINDOW","windowId":' .. wid .. '}' }, A.R and A.R.sessionId or '')
return ok(A.R)
