/* uname(2)'s record (Linux struct new_utsname).  Shared by the kernel and the user C library. */
#ifndef _UAPI_UTSNAME_H
#define _UAPI_UTSNAME_H

#define UTSNAME_LEN	65		/* each field, with its NUL */

struct utsname {
	char	sysname[UTSNAME_LEN];
	char	nodename[UTSNAME_LEN];
	char	release[UTSNAME_LEN];
	char	version[UTSNAME_LEN];
	char	machine[UTSNAME_LEN];
	char	domainname[UTSNAME_LEN];
};

#endif
