/**
 * How an IRC network compares nick and channel names (ISUPPORT `CASEMAPPING`). Two names that fold
 * to the same string are the same name on that network, so keys are built from the folded form.
 */
export type CaseMapping = 'rfc1459' | 'strict-rfc1459' | 'ascii';

export const CASE_MAPPINGS: readonly CaseMapping[] = ['rfc1459', 'strict-rfc1459', 'ascii'];

// Each upper-case character sits exactly 0x20 below its lower-case partner in every mapping
// (A-Z/a-z, []\/{}|, ^/~), so one shift serves all three; only the set of characters differs.
const UPPER: Readonly<Record<CaseMapping, RegExp>> = {
  ascii: /[A-Z]/g,
  'strict-rfc1459': /[A-Z[\]\\]/g,
  rfc1459: /[A-Z[\]\\^]/g,
};

const lower = (c: string): string => String.fromCharCode(c.charCodeAt(0) + 0x20);

/**
 * Folds `name` to the lower-case form of `mapping`. Only ASCII is touched: IRC servers do not fold
 * other characters, so neither may we (else two names the server keeps apart would share a key).
 */
export function foldCase(name: string, mapping: CaseMapping): string {
  return name.replace(UPPER[mapping], lower);
}

/** Reads an ISUPPORT `CASEMAPPING` value; missing or unknown means rfc1459, the IRC default. */
export function parseCaseMapping(isupportValue: string | undefined): CaseMapping {
  const value = isupportValue?.trim().toLowerCase();
  return CASE_MAPPINGS.find((m) => m === value) ?? 'rfc1459';
}
