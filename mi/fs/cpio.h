/*
 * Unpacking cpio "newc" archives (the initramfs format) into ramfs:
 * directories, regular files (hard links included), symbolic links,
 * FIFOs, sockets and device nodes, with their modes, owners and times.
 */
#ifndef _FS_CPIO_H_
#define _FS_CPIO_H_

#include <kern/types.h>

struct vnode;

#define CPIO_HEADER_SIZE	110
#define CPIO_TRAILER		"TRAILER!!!"

struct cpio_stats {
	uint64_t	files;		/* regular files made */
	uint64_t	dirs;		/* directories made or updated */
	uint64_t	symlinks;	/* symbolic links made */
	uint64_t	hardlinks;	/* names given to a file already made */
	uint64_t	specials;	/* FIFOs, sockets and device nodes made */
	uint64_t	skipped;	/* entries of unknown types */
	uint64_t	bytes;		/* file data written */
};

/*
 * Unpack the archive buf[0, len) under dir, making intermediate
 * directories as needed.  Everything is bounds-checked: a malformed
 * archive (bad magic or hex, a name or data running past the end, a
 * missing trailer, a ".." component) gives EINVAL, with what came before
 * it already unpacked.  Other errors: ENOMEM, ENOSPC, ENOTDIR, EISDIR.
 * st may be NULL.
 */
int cpio_unpack(struct vnode *dir, const void *buf, size_t len, struct cpio_stats *st);

#endif
