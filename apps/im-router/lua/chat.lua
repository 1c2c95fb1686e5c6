-- chat: opens (or finds) the 1on1 windows of A.uid and A.peer on both sides.
-- (outbox lib + request lib + im-lib first.)
--
-- ARGV[1] JSON A: P, K, R, now, uid, peer, C = { key = conversation, suffixU, suffixP }
-- Answers { windowId } (uid's window); FORBIDDEN when a block or the peer's policy refuses.
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local P, K, C = A.P, A.K, A.C
local uid, peer = tostring(A.uid), tostring(A.peer)
local peer_nick, code, message = may_write(P, K, uid, peer)
if not peer_nick then return fail(A.R, code, message) end
local nick = nick_of(P, uid)
local wid, made = dm_window(P, C, uid, peer, peer_nick, C.suffixU)
if made then tell(P, uid, { add_window_json(wid, peer, peer_nick, 0) }) end
local pwid, pmade = dm_window(P, C, peer, uid, nick, C.suffixP)
if pmade then tell(P, peer, { add_window_json(pwid, uid, nick, 0) }) end
return ok(A.R, '"windowId":' .. wid)
