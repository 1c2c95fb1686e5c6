-- Shared by the object store's scripts. P (from ARGV) holds the key prefixes of one type, built
-- by packages/key-schema: P.id (`id:<T>`), P.ids (`ids:<T>`), P.hash (`hash:<T>:`), P.idx
-- (`idx:<T>:`), P.value[field] (`value:<T>:<field>:`), P.indexed / P.unique (field names), and
-- P.caseless (field → true: its index holds the value folded to ASCII lower case, like IRC nicks).

-- The value part of a `value:` key, exactly as key-schema's encodeKeyPart writes it: bytes outside
-- A-Z a-z 0-9 # & ! + . _ ~ - become %XX (upper-case hex). nil when it cannot be a key part.
local function enc(v)
  if v == nil or v == '' then return nil end
  local e = string.gsub(v, '[^A-Za-z0-9#&!+._~%-]', function(c) return string.format('%%%02X', string.byte(c)) end)
  if #e > 200 then return nil end
  return e
end

-- The value as a field's index holds it.
local function folded(P, f, v)
  if v ~= nil and P.caseless and P.caseless[f] then return string.lower(v) end
  return v
end

local function hash_table(key)
  local flat = redis.call('HGETALL', key)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t, #flat > 0
end

-- Takes the object out of every value set it is in (as its idx set records them).
local function unindex(P, id)
  local idx = P.idx .. id
  for _, k in ipairs(redis.call('SMEMBERS', idx)) do redis.call('SREM', k, id) end
  redis.call('DEL', idx)
end

-- Puts the object into the value set of each indexed field it has, and records them in idx.
local function index(P, id, obj)
  local idx = P.idx .. id
  for _, f in ipairs(P.indexed) do
    local e = enc(folded(P, f, obj[f]))
    if e then
      local k = P.value[f] .. e
      redis.call('SADD', k, id)
      redis.call('SADD', idx, k)
    end
  end
end

-- The first unique field whose value another object holds already (nil: none).
local function unique_clash(P, id, obj)
  for _, f in ipairs(P.unique) do
    local e = enc(folded(P, f, obj[f]))
    if e then
      for _, other in ipairs(redis.call('SMEMBERS', P.value[f] .. e)) do
        if other ~= id then return f end
      end
    end
  end
  return nil
end

-- The encoded value of the object's field `ref` (`id`: the id itself), read from its idx set, so
-- that it is known even when the hash is already gone (deleted outside the store).
local function ref_part(P, id, ref)
  if ref == 'id' then return id end
  local prefix = P.value[ref]
  for _, k in ipairs(redis.call('SMEMBERS', P.idx .. id)) do
    if string.sub(k, 1, #prefix) == prefix then return string.sub(k, #prefix + 1) end
  end
  return nil
end

-- The object is gone (or going): its dependants are removed (`cascade`, with their own declared
-- dependants in turn: d.deps) or lose the field that named it (`detach`), each one repaired in the
-- same step. Returns how many were touched. (The registry refuses cycles of cascades.)
local function drop_dependants(P, id, deps)
  local touched = 0
  for _, d in ipairs(deps or {}) do
    local part = ref_part(P, id, d.references)
    if part then
      for _, did in ipairs(redis.call('SMEMBERS', d.P.value[d.field] .. part)) do
        touched = touched + 1
        if d.onDelete == 'cascade' then
          touched = touched + drop_dependants(d.P, did, d.deps)
          unindex(d.P, did)
          redis.call('DEL', d.P.hash .. did)
          redis.call('SREM', d.P.ids, did)
        else
          redis.call('HDEL', d.P.hash .. did, d.field)
          local obj = hash_table(d.P.hash .. did)
          unindex(d.P, did)
          index(d.P, did, obj)
        end
      end
    end
  end
  return touched
end
