/* limits.h: integer limits and path sizes (LP64). */
#ifndef _LIMITS_H
#define _LIMITS_H

#include <uapi/limits.h>	/* PATH_MAX, NAME_MAX */

#define CHAR_BIT 8
#define SCHAR_MAX 127
#define SCHAR_MIN (-128)
#define UCHAR_MAX 255
#define CHAR_MAX 255		/* char is unsigned on RISC-V */
#define CHAR_MIN 0
#define SHRT_MAX 32767
#define SHRT_MIN (-32768)
#define USHRT_MAX 65535
#define INT_MAX 2147483647
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX 4294967295U
#define LONG_MAX 9223372036854775807L
#define LONG_MIN (-LONG_MAX - 1)
#define ULONG_MAX 18446744073709551615UL
#define LLONG_MAX LONG_MAX
#define LLONG_MIN LONG_MIN
#define ULLONG_MAX ULONG_MAX

#define PAGE_SIZE 4096

#endif
