-- put: create or replace objects of one or more types, all or none, in one step.
-- (lib.lua first.)
--
-- ARGV[1] JSON: items = [{ P, id (nil: create), fields = { name: value }, expect (optional: the
--         object as the caller read it; any other version now is a CONFLICT) }]
-- An update replaces the whole object: fields left out disappear, and so do their index entries.
-- Returns { 'OK', id, id, … } in the items' order, or { 'NOT_FOUND', i } / { 'UNIQUE', i, field }
-- (i: the item's position, from 1) / { 'CONFLICT', i } with nothing written.
local A = cjson.decode(ARGV[1])
-- Everything is checked before anything is written.
for i, item in ipairs(A.items) do
  if item.id ~= nil then
    if redis.call('EXISTS', item.P.hash .. item.id) == 0 then return { 'NOT_FOUND', i } end
    if item.expect then
      local now = hash_table(item.P.hash .. item.id)
      for k, v in pairs(now) do if item.expect[k] ~= v then return { 'CONFLICT', i } end end
      for k, v in pairs(item.expect) do if now[k] ~= v then return { 'CONFLICT', i } end end
    end
  end
  local clash = unique_clash(item.P, item.id and tostring(item.id) or '', item.fields)
  if clash then return { 'UNIQUE', i, clash } end
  -- Two items of this call may not claim the same unique value either.
  for j = 1, i - 1 do
    local other = A.items[j]
    if other.P.ids == item.P.ids then
      for _, f in ipairs(item.P.unique) do
        if item.fields[f] ~= nil and item.fields[f] ~= '' and folded(item.P, f, other.fields[f]) == folded(item.P, f, item.fields[f]) then return { 'UNIQUE', i, f } end
      end
    end
  end
end
local out = { 'OK' }
for _, item in ipairs(A.items) do
  local id = item.id and tostring(item.id) or tostring(redis.call('INCR', item.P.id))
  local key = item.P.hash .. id
  unindex(item.P, id)
  redis.call('DEL', key)
  local flat = {}
  for name, value in pairs(item.fields) do
    flat[#flat + 1] = name
    flat[#flat + 1] = value
  end
  if #flat > 0 then redis.call('HSET', key, unpack(flat)) end
  redis.call('SADD', item.P.ids, id)
  index(item.P, id, item.fields)
  out[#out + 1] = id
end
return out
