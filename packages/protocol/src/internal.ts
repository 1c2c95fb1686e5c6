/** Compile-time checks used inside the package; not exported from the index. */

/** True when A and B are the same type (both ways assignable, no distribution). */
export type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** `type _X = Assert<Equal<A, B>>` fails compilation unless the check holds. */
export type Assert<T extends true> = T;
