// irc-framework ships no type declarations: the parts Parley uses, as they are.
declare module 'irc-framework' {
  export function ircLineParser(line: string): unknown;
  export const Helpers: { parseMask(mask: string): unknown };
}

declare module 'irc-framework/src/linebreak' {
  export function lineBreak(text: string, options: { bytes: number; allowBreakingWords?: boolean; allowBreakingGraphemes?: boolean }): Iterable<string>;
}
