/*
 * Linked into a static program, this names ld-sable.so.1 as its
 * interpreter: the linker makes a PT_INTERP header of an .interp section.
 */
const char sable_interp[] __attribute__((section(".interp"), used)) = "/lib/ld-sable.so.1";
