import { render, screen } from '@testing-library/react';
import { MemberList } from '../src/components/MemberList';

describe('MemberList', () => {
  it('shows roles, and marks service bots as bots', () => {
    render(
      <MemberList
        members={[
          { nick: 'alice', userId: 1, role: '*' },
          { nick: 'Botty', role: '@', bot: true },
          { nick: 'bob', userId: 2, role: 'u' },
        ]}
      />,
    );
    expect(screen.getByRole('heading').textContent).toBe('3 members');
    const bot = screen.getByText('Botty').closest('li')!;
    expect(bot.getAttribute('title')).toBe('service bot');
    expect(bot.querySelector('.bot-tag')?.textContent).toBe('bot');
    const alice = screen.getByText('alice').closest('li')!;
    expect(alice.getAttribute('title')).toBe('owner');
    expect(alice.querySelector('.bot-tag')).toBeNull();
  });
});
