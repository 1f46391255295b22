/* Path and pipe limits (Linux linux/limits.h).  Shared by the kernel and the user C library. */
#ifndef _UAPI_LIMITS_H
#define _UAPI_LIMITS_H

#define NAME_MAX	255		/* bytes in one path component */
#define PATH_MAX	4096		/* bytes in a path, with its NUL */
#define PIPE_BUF	4096		/* pipe writes this small are atomic */

#endif
