import { memo } from 'react';
import type { Member } from '@parley/protocol';
import { nickColour } from '../lib/format';

const ROLE_TITLE: Record<Member['role'], string> = { '*': 'owner', '@': 'operator', '+': 'voice', u: '' };
const ROLE_MARK: Record<Member['role'], string> = { '*': '~', '@': '@', '+': '+', u: '' };

/** The members of a window, owners and operators first. */
export const MemberList = memo(function MemberList({ members, onOpen }: { members: readonly Member[]; onOpen?: (m: Member) => void }) {
  return (
    <aside className="member-list" aria-label="members">
      <h2>
        {members.length} {members.length === 1 ? 'member' : 'members'}
      </h2>
      <ul>
        {members.map((m) => (
          <li key={m.nick} title={m.bot ? 'service bot' : ROLE_TITLE[m.role] || undefined}>
            <button type="button" className="member" onClick={() => onOpen?.(m)}>
              <span className="role">{ROLE_MARK[m.role]}</span>
              <span className={`nick nick-c${nickColour(m.nick)}`}>{m.nick}</span>
              {m.bot ? <span className="bot-tag">bot</span> : null}
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
});
