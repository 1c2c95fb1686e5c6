import { join } from 'node:path';
import { LuaScript } from '@parley/inbox';

/** One of the gateway's scripts in apps/gateway/lua (the same path from src/ and dist/). */
export const gatewayScript = (name: string): LuaScript => LuaScript.fromDir(join(__dirname, '..', 'lua'), name);
