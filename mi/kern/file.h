/*
 * Open files and file descriptor tables (after 4.4BSD and FreeBSD's
 * struct file and struct fileops).
 *
 * A struct file is one open(2) (an "open file description"): what is
 * open (a vnode, one end of a pipe), the file offset and the status
 * flags.  Descriptors in one or several processes' tables (dup, fork)
 * share it by reference.
 *
 * File operations.  Each kind of file brings a table of operations
 * (struct fileops) and its own object (f_data): files on vnodes, which
 * are regular files, directories and devices of every file system
 * (vfs_vnops.c), and pipes (sys_pipe.c).  The descriptor layer and the
 * system calls reach a file only through its table, never by asking
 * what kind it is, so a new kind (a socket, a block device with its own
 * transfer path) is one more table.  A NULL operation means the kind
 * has no such operation; the callers below give Linux's errno for that.
 *
 * A process's descriptor table (struct filedesc, in proc.h) maps small
 * integers to files, each with its close-on-exec flag.
 *
 * Locking:
 *   (f) f_lock, a spin lock
 *   (o) f_offset_lock, the offset lock (a sleep mutex, as Linux's
 *       f_pos_lock), held across a read, write or getdents that uses and
 *       advances f_offset, so two threads sharing the file do not read
 *       the same bytes
 *   (A) atomic
 *   (C) constant after creation
 *   The table's fd_lock guards its slots; a file is dropped only after
 *   the table lock is released.
 */
#ifndef _KERN_FILE_H_
#define _KERN_FILE_H_

#include <kern/types.h>
#include <kern/mutex.h>
#include <kern/spinlock.h>
#include <uapi/fcntl.h>
#include <uapi/uio.h>

struct stat;
struct vnode;
struct file;
struct filedesc;
struct vm_object;
struct proc;
struct pollwait;

struct fileops {
	/*
	 * Move bytes between the file and iovcnt buffers (user addresses if
	 * user): at byte pos, or (pos < 0) at the file's offset, advancing
	 * it, if the file has one.  Bytes moved, or -errno when none were.
	 * The caller has checked the access mode.
	 */
	ssize_t	(*fo_read)(struct file *fp, const struct iovec *iov, int iovcnt,
		    int64_t pos, bool user);
	ssize_t	(*fo_write)(struct file *fp, const struct iovec *iov, int iovcnt,
		    int64_t pos, bool user);
	/* A request particular to the kind (FIONREAD, terminals); uarg is a user address. */
	int	(*fo_ioctl)(struct file *fp, unsigned long cmd, void *uarg);
	int	(*fo_stat)(struct file *fp, struct stat *st);
	/* lseek, for files with f_seekable: the new offset in *result (the old one on error). */
	int	(*fo_seek)(struct file *fp, int64_t off, int whence, uint64_t *result);
	/* What mmap maps: see file_mmap_object. */
	int	(*fo_mmap)(struct file *fp, uint64_t off, uint64_t len, int prot_shared_write,
		    struct vm_object **objp, bool *anonymous, vm_prot_t *maxprot);
	/*
	 * What is possible now, as POLL* bits (kern/poll.h), after recording
	 * the poller pw on the object's selinfo if pw is not NULL.  events
	 * says what the poller asks about; the answer may hold more (the
	 * caller keeps what was asked, POLLERR and POLLHUP).  NULL: always
	 * POLL_DEFAULT_MASK (readable and writable, as regular files are).
	 */
	int	(*fo_poll)(struct file *fp, int events, struct pollwait *pw);
	/* The last reference is gone: let go of f_data. */
	void	(*fo_close)(struct file *fp);
};

struct file {
	struct spinlock	f_lock;
	struct mtx	f_offset_lock;
	uint32_t	f_refcnt;	/* (A) */
	const struct fileops *f_ops;	/* (C) */
	void		*f_data;	/* (C) the kind's own: the vnode, the pipe */
	struct vnode	*f_vnode;	/* (C) referenced, if the file is a vnode's; else NULL */
	uint64_t	f_offset;	/* (o) */
	int		f_flags;	/* (f) O_ACCMODE | O_APPEND | O_NONBLOCK */
	bool		f_seekable;	/* (C) has an offset for lseek, pread, pwrite */
	bool		f_ofd_locks;	/* (A) has set OFD record locks (lockf.h) */
	int		f_advice;	/* (A) POSIX_FADV_* for the whole file */
	uint32_t	f_wb_errors;	/* (f) the vnode's v_wb_errors fsync last reported */
	char		*f_path;	/* (C) the absolute path of the non-directory opened
					 * (/proc/PID/fd shows it), or NULL */
};

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
 * A new file of the kind ops with one reference, on data (whose
 * reference, if it has one, the file takes over), with open(2) status
 * flags.  Not seekable, and on no vnode: the kind's constructor sets
 * f_vnode and f_seekable before it hands the file out.  NULL when
 * memory is short (data is then still the caller's).
 */
struct file *file_alloc(const struct fileops *ops, void *data, int flags);
void file_hold(struct file *fp);
void file_drop(struct file *fp);	/* the last drop closes it */
/* Remember path (copied) as what fp was opened by; quietly nothing when memory is short. */
void file_set_path(struct file *fp, const char *path);
/*
 * What a /proc/PID/fd link shows for fp, into buf: the absolute path of
 * a file (" (deleted)" after it once removed), "pipe:[INODE]",
 * "socket:[INODE]", "anon_inode:[KIND]".  0 or ERANGE.
 */
int file_path(struct file *fp, char *buf, size_t size, size_t *len);

/*
 * Reading and writing: bytes moved or -errno (EBADF if fp is not open
 * for it).  pos < 0: use and advance f_offset.
 */
ssize_t file_readv(struct file *fp, const struct iovec *iov, int iovcnt,
    int64_t pos, bool user);
ssize_t file_writev(struct file *fp, const struct iovec *iov, int iovcnt,
    int64_t pos, bool user);
int file_stat(struct file *fp, struct stat *st);
/* fo_stat's answer for a file on no file system (pipes, sockets): Linux's pseudo-fs numbers. */
void file_stat_anon(struct stat *st, uint64_t dev, uint64_t ino, uint32_t mode, uint64_t mtime_ns);
/* Does fp have an offset to seek?  (Not pipes and the console: ESPIPE.) */
bool file_seekable(struct file *fp);
/* lseek: the new offset in *result (the old one on error). */
int file_seek(struct file *fp, int64_t off, int whence, uint64_t *result);
uint64_t file_offset_get(struct file *fp);
/* ioctl requests of fp's kind (not the descriptor's own: FIOCLEX...); ENOTTY if none. */
int file_ioctl(struct file *fp, unsigned long cmd, void *uarg);
/* fo_poll: what fp can do now (POLL* bits), recording pw (if not NULL) to be woken. */
int file_poll(struct file *fp, int events, struct pollwait *pw);

/*
 * The offset lock, for a kind's operations that use and advance
 * f_offset (reads, writes, seeks and getdents of files on vnodes).
 */
void file_offset_lock(struct file *fp);
void file_offset_unlock(struct file *fp);

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
 * Descriptor tables, shared by a process's threads under the table's
 * fd_lock.
 */
struct filedesc *filedesc_alloc(void);	/* empty; NULL on no memory */
struct filedesc *filedesc_fork(struct filedesc *fdp);	/* a copy sharing the files */
void filedesc_exec(struct filedesc *fdp);	/* close the close-on-exec ones */
void filedesc_free(struct filedesc *fdp);	/* close everything and free */

/*
 * For system calls: td's descriptor table (NULL for a kernel thread), and
 * the file at descriptor argument fd, referenced (file_drop it) or EBADF.
 * Descriptor arguments are unsigned int, as in Linux.
 */
struct thread;
struct filedesc *fdtable(struct thread *td);
int getfile(struct thread *td, uint64_t fd, struct file **fpp);

/*
 * Record locks (fcntl F_GETLK, F_SETLK, F_SETLKW and the F_OFD_* ones)
 * on what fp is open on, for td's process; uarg is the user's struct
 * flock.  0 or an errno (ERESTARTSYS when a signal ends F_SETLKW).
 */
int file_fcntl_lock(struct thread *td, struct file *fp, int cmd, void *uarg);

/* Install fp (taking over the caller's reference) at the lowest free fd >= minfd. */
int fd_alloc(struct filedesc *fdp, struct file *fp, int minfd, bool cloexec, int *fdout);
/* The file at fd, referenced (file_drop it), or EBADF. */
int fd_get(struct filedesc *fdp, int fd, struct file **fpp);
int fd_close(struct filedesc *fdp, int fd);
/* dup3: newfd becomes a copy of oldfd, closing what was there. */
int fd_dup2(struct filedesc *fdp, int oldfd, int newfd, bool cloexec);
int fd_get_cloexec(struct filedesc *fdp, int fd, bool *cloexec);
int fd_set_cloexec(struct filedesc *fdp, int fd, bool cloexec);

/*
 * Pipes (sys_pipe.c): a new pipe's read and write ends, with O_NONBLOCK
 * from flags.  0 or ENOMEM.
 */
int pipe_create(struct file **readp, struct file **writep, int flags);
uint64_t pipe_bytes_available(struct file *fp);	/* bytes waiting in fp's pipe */
/*
 * FIFOs (fs/fifo.c).  pipe_alloc makes a pipe with no ends (NULL when
 * memory is short) whose ends are counted under outer (the FIFOs' sleep
 * mutex) as well as its own; lastclose(arg) is called with outer held
 * when the last end closes, just before the pipe is freed.
 * pipe_free_unused frees one on which no end was ever attached.
 */
struct pipe;
struct mtx;
struct pipe *pipe_alloc(struct mtx *outer, void (*lastclose)(void *), void *arg);
void pipe_free_unused(struct pipe *p);
/*
 * An end as a file, open for reading, writing or both as flags say, on
 * vp (whose reference the file takes over), not yet on any pipe (NULL
 * when memory is short: the reference is still the caller's); then
 * pipe_end_attach puts it on p (outer held) and pipe_end_wakeup (no lock
 * held) lets p's sleepers look again.
 */
struct file *pipe_end_alloc(int flags, struct vnode *vp);
void pipe_end_attach(struct pipe *p, struct file *fp);
void pipe_end_wakeup(struct pipe *p);
/* Is any end open for writing (writers) or reading? */
bool pipe_has_ends(struct pipe *p, bool writers);

#endif
