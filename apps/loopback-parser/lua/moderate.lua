-- moderate: the room commands of the owner and operators, each one step:
--   op / deop / voice / devoice / owner <nick>, kick <nick>, ban <nick or mask>, unban <nick or mask>,
--   invite <nick>, approve <nick>, reject <nick>, apikey (a new API key for the room's webhook).
-- (outbox lib + rooms-lib first.)
--
-- KEYS[1] group  KEYS[2] groupmembers  KEYS[3] grouproles  KEYS[4] groupwindows  KEYS[5] groupbacklog
-- KEYS[6] black-list  KEYS[7] join requests  KEYS[8] groupbots
-- ARGV[1] JSON: P, R, uid, wid, action, target ({ uid, nick } of a user, or { mask }), reason,
--         suffix, now, maxBacklog, burst, apiKey and apiKeyHash (apikey)
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local K = room_keys(KEYS, true)
local uid = tostring(A.uid)
local role, nick = member(K, uid, A.wid)
if not role then return fail(A.R, 'NOT_FOUND', 'not in this room') end
local owner = role == '*'
if role ~= '*' and role ~= '@' then return fail(A.R, 'FORBIDDEN', 'only the owner and operators moderate this room') end
local act = A.action
local t = A.target or {}
local tuid = t.uid and tostring(t.uid) or nil
local trole = tuid and redis.call('HGET', K.roles, tuid)
trole = trole and string.sub(trole, 1, 1) or nil
-- Nobody but the owner acts on an operator, and nobody acts on the owner.
local function protected() return trole == '*' or (trole == '@' and not owner) end

if act == 'op' or act == 'deop' or act == 'voice' or act == 'devoice' or act == 'owner' then
  if not trole then return fail(A.R, 'NOT_FOUND', (t.nick or '?') .. ' is not in this room') end
  if act == 'owner' and not owner then return fail(A.R, 'FORBIDDEN', 'only the owner hands the room over') end
  if act ~= 'owner' and protected() then return fail(A.R, 'FORBIDDEN', 'not allowed on ' .. t.nick) end
  -- Voice only ever toggles between a member and a voiced member.
  if (act == 'voice' or act == 'devoice') and trole ~= 'u' and trole ~= '+' then
    return fail(A.R, 'BAD_REQUEST', t.nick .. ' is an operator; use deop first')
  end
  local new = ({ op = '@', deop = 'u', voice = '+', devoice = 'u', owner = '*' })[act]
  set_role(A.P, K, tuid, new, A.now, A.maxBacklog, nick)
  return ok(A.R, '')
elseif act == 'kick' or act == 'ban' then
  -- Checked before anything is written: a refused ban leaves no ban behind.
  if trole and protected() then return fail(A.R, 'FORBIDDEN', 'not allowed on ' .. t.nick) end
  if t.mask then
    -- A mask may not reach the owner, nor (for an operator) another operator.
    local flat = redis.call('HGETALL', K.roles)
    for i = 1, #flat, 2 do
      local r, n = string.sub(flat[i + 1], 1, 1), string.sub(flat[i + 1], 2)
      if (r == '*' or (r == '@' and not owner)) and mask_matches(t.mask, n) then
        return fail(A.R, 'FORBIDDEN', 'the mask ' .. t.mask .. ' matches ' .. n)
      end
    end
  end
  if act == 'ban' then
    local field = tuid and ('user:' .. tuid) or ('mask:' .. t.mask)
    redis.call('HSET', KEYS[6], field, cjson.encode({ by = tonumber(uid), at = A.now, nick = t.nick }))
  end
  if trole then
    local why = ''
    if A.reason and A.reason ~= '' then why = ' (' .. A.reason .. ')' end
    remove_member(A.P, K, tuid, A.suffix, A.now, A.maxBacklog, 'kick', t.nick .. ' was ' .. (act == 'ban' and 'banned' or 'kicked') .. ' by ' .. nick .. why, { KEYS[6], KEYS[7] })
  elseif act == 'kick' then
    return fail(A.R, 'NOT_FOUND', (t.nick or '?') .. ' is not in this room')
  else
    local _, msg = store_message(K.group, K.backlog, A.maxBacklog, A.now, 'info', nick .. ' banned ' .. (t.nick or t.mask), nick, uid)
    to_members(A.P, K.windows, function(w) return { message_json(w, msg) } end, nil, nil)
    -- A mask ban also removes the members it matches (none of them is protected: checked above).
    if t.mask then
      local flat = redis.call('HGETALL', K.roles)
      for i = 1, #flat, 2 do
        local n = string.sub(flat[i + 1], 2)
        if flat[i] ~= uid and mask_matches(t.mask, n) then
          remove_member(A.P, K, flat[i], A.suffix, A.now, A.maxBacklog, 'kick', n .. ' was banned by ' .. nick .. ' (' .. t.mask .. ')', { KEYS[6], KEYS[7] })
        end
      end
    end
  end
  return ok(A.R, '')
elseif act == 'unban' then
  local field = tuid and ('user:' .. tuid) or ('mask:' .. t.mask)
  if redis.call('HDEL', KEYS[6], field) == 0 then return fail(A.R, 'NOT_FOUND', 'no such ban') end
  return ok(A.R, '')
elseif act == 'invite' or act == 'approve' then
  if not tuid then return fail(A.R, 'NOT_FOUND', 'no such user') end
  if trole then return fail(A.R, 'ALREADY_JOINED', t.nick .. ' is in this room') end
  if act == 'approve' and not redis.call('ZSCORE', KEYS[7], tuid) then return fail(A.R, 'NOT_FOUND', t.nick .. ' has not asked to join') end
  if act == 'approve' then
    -- The asker joins now (and a ban since then still wins).
    if is_banned(KEYS[6], tuid, t.nick) then return fail(A.R, 'BANNED', t.nick .. ' is banned') end
    redis.call('ZREM', KEYS[7], tuid)
    join_member(A.P, K, tuid, t.nick, A.suffix, A.now, A.maxBacklog, A.burst)
  else
    redis.call('ZADD', KEYS[7], 0, tuid)
    -- The invitee's sessions hear of it; a JOIN accepts.
    tell(A.P, tuid, { cjson.encode({ type = 'ROOM_INVITE', network = 'parley', name = redis.call('HGET', K.group, 'name'), nick = nick }) })
  end
  return ok(A.R, '')
elseif act == 'reject' then
  if not tuid or redis.call('ZREM', KEYS[7], tuid) == 0 then return fail(A.R, 'NOT_FOUND', 'no such request') end
  return ok(A.R, '')
elseif act == 'apikey' then
  if not owner then return fail(A.R, 'FORBIDDEN', 'only the owner manages the API key') end
  redis.call('HSET', K.group, 'apikey', A.apiKeyHash)
  local _, msg = store_message(K.group, K.backlog, A.maxBacklog, A.now, 'info', nick .. ' made a new API key for this room', nick, uid)
  to_members(A.P, K.windows, function(w) return { message_json(w, msg) } end, nil, nil)
  -- The key goes to the asking session once; what is kept for a repeat does not carry it.
  return reply(A.R, '{"status":"OK","apiKey":' .. cjson.encode(A.apiKey) .. '}', '{"status":"OK"}')
end
return fail(A.R, 'BAD_REQUEST', 'unknown room command ' .. tostring(act))
