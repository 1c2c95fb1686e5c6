import type { Notification } from '@parley/protocol';

export type AddWindow = Extract<Notification, { type: 'ADD_WINDOW' }>;

/** What an ADD_WINDOW of a room says, with the backends' defaults (titleAlert off). */
export const windowFields = (windowId: number, over: Partial<Omit<AddWindow, 'type'>> = {}): Omit<AddWindow, 'type'> => ({
  windowId,
  network: 'parley',
  name: `#room${windowId}`,
  windowType: 'group',
  topic: '',
  role: 'u',
  visible: true,
  sounds: false,
  titleAlert: false,
  ...over,
});
