/**
 * Object types are declared in code: their fields (kind, indexed, unique, required) and the
 * objects that depend on them (removed or detached when they go). A registry checks the
 * declarations once, at start, and turns them into what the Lua scripts need (key prefixes).
 */
import { encodeKeyPart, fieldNamePart, objectHash, objectId, objectIds, objectIndexRefs, objectValue, typeNamePart } from '@parley/key-schema';

export type FieldKind = 'string' | 'int' | 'bool';

export interface FieldSpec {
  kind?: FieldKind;
  /** Looked up by value (`value:<Type>:<field>:<value>`). */
  indexed?: boolean;
  /** At most one object holds each value (implies indexed). */
  unique?: boolean;
  /**
   * Looked up and kept unique ignoring ASCII case, as IRC nicks are (the index holds the value in
   * lower case; the object keeps it as written). Only for indexed fields.
   */
  caseless?: boolean;
  required?: boolean;
}

/** Objects of `type` whose `field` holds this object's `references` (its id, or an indexed field). */
export interface DependantSpec {
  type: string;
  field: string;
  /** `id`, or an indexed field of this type. */
  references: string;
  onDelete: 'cascade' | 'detach';
}

export interface ObjectTypeSpec {
  name: string;
  fields: Record<string, FieldSpec>;
  dependants?: DependantSpec[];
}

/** An object as stored: field → text (Redis hashes hold strings). */
export type StoredObject = Record<string, string>;

export type ObjectStoreErrorCode = 'UNKNOWN_TYPE' | 'UNKNOWN_FIELD' | 'INVALID' | 'UNIQUE' | 'NOT_FOUND' | 'CONFLICT';

export class ObjectStoreError extends Error {
  override readonly name = 'ObjectStoreError';
  constructor(
    readonly code: ObjectStoreErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** What the scripts get for one type: its keys' prefixes and which fields are indexed or unique. */
export interface ScriptPrefixes {
  id: string;
  ids: string;
  hash: string;
  idx: string;
  value: Record<string, string>;
  indexed: string[];
  unique: string[];
  /** field → true for caseless fields (an object, so that Lua gets a table to look up in). */
  caseless: Record<string, true>;
}

/** ASCII lower case, exactly as Lua's string.lower folds in the scripts. */
export const foldAscii = (value: string): string => value.replace(/[A-Z]/g, (c) => c.toLowerCase());

// The builders make whole keys; the scripts append an id or an encoded value to a prefix.
const withoutTail = (key: string, tail: string): string => {
  if (!key.endsWith(tail)) throw new Error(`key ${key} does not end with ${tail}`);
  return key.slice(0, key.length - tail.length);
};

export class ObjectType {
  readonly name: string;
  readonly fields: Readonly<Record<string, Required<Pick<FieldSpec, 'kind'>> & FieldSpec>>;
  readonly prefixes: ScriptPrefixes;

  constructor(readonly spec: ObjectTypeSpec) {
    this.name = typeNamePart(spec.name, 'type');
    const fields: Record<string, Required<Pick<FieldSpec, 'kind'>> & FieldSpec> = {};
    for (const [field, f] of Object.entries(spec.fields)) {
      const indexed = f.indexed === true || f.unique === true;
      if (f.caseless && !indexed) throw new Error(`${spec.name}.${field}: only an indexed field can be caseless`);
      fields[fieldNamePart(field, 'field')] = { ...f, kind: f.kind ?? 'string', indexed };
    }
    this.fields = fields;
    const indexed = Object.keys(fields).filter((f) => fields[f]!.indexed);
    this.prefixes = {
      id: objectId(this.name),
      ids: objectIds(this.name),
      hash: withoutTail(objectHash(this.name, 1), '1'),
      idx: withoutTail(objectIndexRefs(this.name, 1), '1'),
      value: Object.fromEntries(indexed.map((f) => [f, withoutTail(objectValue(this.name, f, 'x'), 'x')])),
      indexed,
      unique: Object.keys(fields).filter((f) => fields[f]!.unique),
      caseless: Object.fromEntries(indexed.filter((f) => fields[f]!.caseless).map((f) => [f, true as const])),
    };
  }

  /** Checks an object against the declaration; returns it as Redis will hold it. */
  validate(input: Record<string, unknown>): StoredObject {
    const out: StoredObject = {};
    for (const [field, value] of Object.entries(input)) {
      const spec = this.fields[field];
      if (!spec) throw new ObjectStoreError('UNKNOWN_FIELD', `${this.name} has no field ${field}`, field);
      if (value === undefined || value === null) continue;
      const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
      if (text === undefined) throw new ObjectStoreError('INVALID', `${this.name}.${field} must be a string, a number or a boolean`, field);
      if (spec.kind === 'int' && !/^-?(0|[1-9][0-9]{0,15})$/.test(text)) throw new ObjectStoreError('INVALID', `${this.name}.${field} must be an integer`, field);
      if (spec.kind === 'bool' && text !== 'true' && text !== 'false') throw new ObjectStoreError('INVALID', `${this.name}.${field} must be true or false`, field);
      if (spec.indexed && text !== '') {
        // The value becomes a key part: key-schema refuses what it cannot encode (too long, a lone surrogate).
        try {
          encodeKeyPart(text, field);
        } catch {
          throw new ObjectStoreError('INVALID', `${this.name}.${field} cannot be looked up by (too long or not text)`, field);
        }
      }
      out[field] = text;
    }
    for (const [field, spec] of Object.entries(this.fields)) {
      if (spec.required && (out[field] === undefined || out[field] === '')) throw new ObjectStoreError('INVALID', `${this.name}.${field} is required`, field);
    }
    return out;
  }
}

/** A dependant as delete.lua and repair.lua take it. */
export interface ScriptDependant {
  P: ScriptPrefixes;
  field: string;
  references: string;
  onDelete: string;
  deps: ScriptDependant[];
}

/** All the types a service uses, checked together (dependants must name declared, indexed fields). */
export class TypeRegistry {
  private readonly types = new Map<string, ObjectType>();

  constructor(specs: readonly ObjectTypeSpec[]) {
    for (const spec of specs) {
      const t = new ObjectType(spec);
      if (this.types.has(t.name)) throw new Error(`object type ${t.name} is declared twice`);
      this.types.set(t.name, t);
    }
    for (const t of this.types.values()) {
      for (const d of t.spec.dependants ?? []) {
        const dep = this.types.get(d.type);
        if (!dep) throw new Error(`${t.name}: dependant type ${d.type} is not declared`);
        if (!dep.fields[d.field]?.indexed) throw new Error(`${t.name}: ${d.type}.${d.field} must be indexed to find dependants by it`);
        if (d.references !== 'id' && !t.fields[d.references]?.indexed) throw new Error(`${t.name}: ${d.references} must be indexed to be referenced`);
        // The parent's value is read back from its index: both sides must fold it alike.
        const parentCaseless = d.references !== 'id' && t.fields[d.references]?.caseless === true;
        if (parentCaseless !== (dep.fields[d.field]?.caseless === true)) throw new Error(`${t.name}: ${d.type}.${d.field} and ${d.references} must both be caseless or neither`);
      }
    }
    // A cascade runs down the declared dependants in one script: a cycle would never end.
    const visiting = new Set<string>();
    const done = new Set<string>();
    const walk = (name: string, path: string[]): void => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`object types cascade in a cycle: ${[...path, name].join(' → ')}`);
      visiting.add(name);
      for (const d of this.types.get(name)!.spec.dependants ?? []) if (d.onDelete === 'cascade') walk(d.type, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of this.types.keys()) walk(name, []);
  }

  get(name: string): ObjectType {
    const t = this.types.get(name);
    if (!t) throw new ObjectStoreError('UNKNOWN_TYPE', `unknown object type ${name}; known: ${[...this.types.keys()].join(', ')}`);
    return t;
  }

  has(name: string): boolean {
    return this.types.has(name);
  }

  names(): string[] {
    return [...this.types.keys()];
  }

  /** The dependants of a type as the scripts take them: a cascaded one with its own, all the way down. */
  deps(t: ObjectType): ScriptDependant[] {
    return (t.spec.dependants ?? []).map((d) => {
      const dep = this.get(d.type);
      return { P: dep.prefixes, field: d.field, references: d.references, onDelete: d.onDelete, deps: d.onDelete === 'cascade' ? this.deps(dep) : [] };
    });
  }
}
