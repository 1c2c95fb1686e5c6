import { type ObjectTypeSpec, TypeRegistry } from '../src';

/** The seed's types as Parley declares them for its tests. */
export const SPECS: ObjectTypeSpec[] = [
  { name: 'BotInfo', fields: { nick: { unique: true, required: true }, user: {}, host: {}, realname: {}, created: { kind: 'int' } } },
  {
    name: 'NickCore',
    fields: { display: { unique: true, required: true }, email: { indexed: true }, verified: { kind: 'bool' } },
    dependants: [
      { type: 'NickAlias', field: 'nc', references: 'display', onDelete: 'cascade' },
      { type: 'Memo', field: 'owner', references: 'id', onDelete: 'detach' },
    ],
  },
  { name: 'NickAlias', fields: { nick: { unique: true, required: true }, nc: { indexed: true, required: true } } },
  { name: 'Memo', fields: { owner: { indexed: true }, text: {} } },
];

export const registry = () => new TypeRegistry(SPECS);
