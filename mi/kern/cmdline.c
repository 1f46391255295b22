/*
 * The kernel command line (see cmdline.h).
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/platform.h>

static char cmdline[PLAT_BOOTARGS_MAX];	/* (C) after cmdline_init */

void
cmdline_init(const char *bootargs)
{
	strlcpy(cmdline, bootargs, sizeof(cmdline));
}

const char *
cmdline_raw(void)
{
	return cmdline;
}

bool
cmdline_get(const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (*p) {
		const char *word = p;
		size_t wlen;

		while (*p && *p != ' ')
			p++;
		wlen = (size_t)(p - word);
		while (*p == ' ')
			p++;
		if (wlen < klen || strncmp(word, key, klen) != 0)
			continue;
		if (wlen == klen) {
			if (size > 0)
				buf[0] = '\0';
			return true;
		}
		if (word[klen] == '=') {
			size_t vlen = wlen - klen - 1;

			if (size > 0) {
				vlen = MIN(vlen, size - 1);
				memcpy(buf, word + klen + 1, vlen);
				buf[vlen] = '\0';
			}
			return true;
		}
	}
	return false;
}

bool
cmdline_has(const char *key)
{
	return cmdline_get(key, NULL, 0);
}

const char *
cmdline_after_dashes(void)
{
	for (const char *p = cmdline; *p; p++) {
		bool word_start = p == cmdline || p[-1] == ' ';

		if (word_start && p[0] == '-' && p[1] == '-' && (p[2] == ' ' || p[2] == '\0'))
			return p + 2;
	}
	return NULL;
}
