/*
 * Open files and file descriptor tables.
 *
 * A struct file is one open(2) (an "open file description"): a vnode or
 * one end of a pipe, the file offset and the status flags.  Descriptors
 * in one or several processes' tables (dup, fork) share it by reference.
 *
 * A process's descriptor table (struct filedesc, in proc.h) maps small
 * integers to files, each with its close-on-exec flag.
 *
 * Locking:
 *   (f) f_lock, a spin lock
 *   (o) the offset lock (file_offset_lock), a sleeping lock held across a
 *       read, write or getdents that uses and advances f_offset, so two
 *       threads sharing the file do not read the same bytes
 *   (A) atomic
 *   (C) constant after creation
 *   The table's fd_lock guards its slots; a file is dropped only after
 *   the table lock is released.
 */
#ifndef _KERN_FILE_H_
#define _KERN_FILE_H_

#include <kern/types.h>
#include <kern/spinlock.h>
#include <fs/stat.h>

struct vnode;
struct pipe;
struct filedesc;
struct vm_object;
struct proc;

struct file {
	struct spinlock	f_lock;
	uint32_t	f_refcnt;	/* (A) */
	uint32_t	f_olock;	/* (f) FOL_* bits: the offset lock */
	struct vnode	*f_vnode;	/* (C) referenced; or NULL for a pipe */
	struct pipe	*f_pipe;	/* (C) or NULL */
	uint64_t	f_offset;	/* (o) */
	int		f_flags;	/* (f) O_ACCMODE | O_APPEND | O_NONBLOCK */
};

#define FOL_LOCKED	0x1
#define FOL_WANT	0x2

/* Flags F_SETFL may change. */
#define FILE_SETFL_MASK	(O_APPEND | O_NONBLOCK)

static inline bool
file_readable(const struct file *fp)
{
	int acc = fp->f_flags & O_ACCMODE;

	return acc == O_RDONLY || acc == O_RDWR;
}

static inline bool
file_writable(const struct file *fp)
{
	int acc = fp->f_flags & O_ACCMODE;

	return acc == O_WRONLY || acc == O_RDWR;
}

void file_init(void);			/* zones, once at boot (from fs_init) */

/*
 * A new file with one reference: on vp (whose reference it takes over),
 * or on one end of a pipe (the end its O_ACCMODE flags say).  NULL when
 * memory is short (the vnode reference is then still the caller's).
 */
struct file *file_alloc(struct vnode *vp, struct pipe *pipe, int flags);
void file_hold(struct file *fp);
void file_drop(struct file *fp);	/* the last drop closes it */

/*
 * Open path (a kernel string) relative to dir (NULL: the root) with
 * open(2) flags and mode, as openat does.  Returns a file with one
 * reference.
 */
int file_open(struct vnode *dir, const char *path, int flags, uint32_t mode,
    struct file **fpp);

/* Reading and writing: bytes moved or -errno.  pos < 0: use and advance f_offset. */
ssize_t file_readv(struct file *fp, const struct iovec_linux *iov, int iovcnt,
    int64_t pos, bool user);
ssize_t file_writev(struct file *fp, const struct iovec_linux *iov, int iovcnt,
    int64_t pos, bool user);
int file_stat(struct file *fp, struct stat_linux *st);
/* Does fp have an offset to seek?  (Not pipes and the console: ESPIPE.) */
bool file_seekable(struct file *fp);
/* lseek: the new offset in *result (the old one on error). */
int file_seek(struct file *fp, int64_t off, int whence, uint64_t *result);
uint64_t file_offset_get(struct file *fp);
/*
 * getdents64 from the file's offset into the kernel buffer buf, then
 * (if ubuf is not NULL) out to the user buffer ubuf; the offset advances
 * only if that worked.  Bytes or -errno.
 */
ssize_t file_getdents(struct file *fp, void *buf, size_t len, void *ubuf);

/*
 * What mmap(2) of [off, off+len) of fp maps.  On success *objp is the
 * object, referenced for the caller (unless *anonymous: map anonymous
 * memory instead, as for /dev/zero), and *maxprot the most the mapping
 * may ever allow if it is SHARED: READ|EXECUTE, plus WRITE only when fp
 * is open for reading and writing.  (A private mapping's writes go to its
 * own copies, so mmap may add WRITE to a private mapping's maxprot.)
 * Errors: EACCES if fp is not open for reading, or prot_shared_write
 * (a shared writable mapping is asked for) and fp is not open O_RDWR;
 * ENODEV if the file cannot be mapped (pipes, directories, most devices).
 */
int file_mmap_object(struct file *fp, uint64_t off, uint64_t len, int prot_shared_write,
    struct vm_object **objp, bool *anonymous, vm_prot_t *maxprot);

/*
 * Descriptor tables.  The process's own thread is the only one using its
 * table (one thread per process), but the lock is taken anyway.
 */
struct filedesc *filedesc_alloc(void);	/* empty; NULL on no memory */
struct filedesc *filedesc_fork(struct filedesc *fdp);	/* a copy sharing the files */
void filedesc_exec(struct filedesc *fdp);	/* close the close-on-exec ones */
void filedesc_free(struct filedesc *fdp);	/* close everything and free */
/* Open /dev/console as descriptors 0, 1 and 2 (init). */
int filedesc_open_console(struct filedesc *fdp);

/* Install fp (taking over the caller's reference) at the lowest free fd >= minfd. */
int fd_alloc(struct filedesc *fdp, struct file *fp, int minfd, bool cloexec, int *fdout);
/* The file at fd, referenced (file_drop it), or EBADF. */
int fd_get(struct filedesc *fdp, int fd, struct file **fpp);
int fd_close(struct filedesc *fdp, int fd);
/* dup3: newfd becomes a copy of oldfd, closing what was there. */
int fd_dup2(struct filedesc *fdp, int oldfd, int newfd, bool cloexec);
int fd_get_cloexec(struct filedesc *fdp, int fd, bool *cloexec);
int fd_set_cloexec(struct filedesc *fdp, int fd, bool cloexec);

/* Pipes (sys_pipe.c). */
int pipe_create(struct file **readp, struct file **writep, int flags);
ssize_t pipe_readv(struct file *fp, const struct iovec_linux *iov, int iovcnt, bool user);
ssize_t pipe_writev(struct file *fp, const struct iovec_linux *iov, int iovcnt, bool user);
void pipe_attach(struct pipe *p, bool writer);	/* a new file end (file_alloc) */
void pipe_close(struct file *fp);	/* one end's file is going away */
int pipe_stat(struct file *fp, struct stat_linux *st);
uint64_t pipe_bytes_available(struct file *fp);

#endif
