/*
 * The kernel command line (/chosen/bootargs): space-separated words,
 * each "key" or "key=value".
 */
#ifndef _KERN_CMDLINE_H_
#define _KERN_CMDLINE_H_

#include <kern/types.h>

void cmdline_init(const char *bootargs);
const char *cmdline_raw(void);

/*
 * Copy the value of key into buf (size bytes) and return true; a bare
 * "key" has the value "".  False when key is absent.
 */
bool cmdline_get(const char *key, char *buf, size_t size);
bool cmdline_has(const char *key);

/* What follows the word "--" (arguments for init), or NULL. */
const char *cmdline_after_dashes(void);

#endif
