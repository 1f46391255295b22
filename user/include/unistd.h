/* unistd.h: the POSIX system interface. */
#ifndef _UNISTD_H
#define _UNISTD_H

#include <sys/types.h>
#include <uapi/fcntl.h>	/* SEEK_*, *_OK */

#define STDIN_FILENO	0
#define STDOUT_FILENO	1
#define STDERR_FILENO	2

extern char **environ;

ssize_t read(int fd, void *buf, size_t len);
ssize_t write(int fd, const void *buf, size_t len);
ssize_t pread(int fd, void *buf, size_t len, off_t off);
ssize_t pwrite(int fd, const void *buf, size_t len, off_t off);
int close(int fd);
off_t lseek(int fd, off_t off, int whence);
int pipe(int fds[2]);
int pipe2(int fds[2], int flags);
int dup(int fd);
int dup2(int fd, int newfd);
int dup3(int fd, int newfd, int flags);
int ftruncate(int fd, off_t len);
int fsync(int fd);
int fdatasync(int fd);
void sync(void);
int syncfs(int fd);
int access(const char *path, int mode);
int faccessat(int dirfd, const char *path, int mode, int flags);
int unlink(const char *path);
int unlinkat(int dirfd, const char *path, int flags);
int rmdir(const char *path);
int chdir(const char *path);
char *getcwd(char *buf, size_t size);
ssize_t readlink(const char *path, char *buf, size_t size);
ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t size);
int link(const char *oldpath, const char *newpath);
int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
int symlink(const char *target, const char *linkpath);
int symlinkat(const char *target, int newdirfd, const char *linkpath);
int chown(const char *path, uid_t uid, gid_t gid);
int lchown(const char *path, uid_t uid, gid_t gid);
int fchown(int fd, uid_t uid, gid_t gid);
int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags);
int truncate(const char *path, off_t len);
int ioctl(int fd, unsigned long req, ...);
int isatty(int fd);

pid_t fork(void);
pid_t vfork(void) __attribute__((returns_twice));
int execve(const char *path, char *const argv[], char *const envp[]);
void _exit(int status) __attribute__((noreturn));
pid_t getpid(void);
pid_t getppid(void);
pid_t gettid(void);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int setuid(uid_t uid);
int setgid(gid_t gid);
int seteuid(uid_t uid);
int setegid(gid_t gid);
int setreuid(uid_t ruid, uid_t euid);
int setregid(gid_t rgid, gid_t egid);
int setresuid(uid_t ruid, uid_t euid, uid_t suid);
int setresgid(gid_t rgid, gid_t egid, gid_t sgid);
int getresuid(uid_t *ruid, uid_t *euid, uid_t *suid);
int getresgid(gid_t *rgid, gid_t *egid, gid_t *sgid);
int getgroups(int size, gid_t list[]);
int setpgid(pid_t pid, pid_t pgid);
pid_t getpgid(pid_t pid);
pid_t getpgrp(void);
pid_t setsid(void);
pid_t getsid(pid_t pid);
int pause(void);
pid_t set_tid_address(int *tidptr);
long set_robust_list(void *head, size_t len);

/* The raw brk call: returns the (possibly unchanged) break. */
void *sys_brk(void *addr);
int brk(void *addr);
void *sbrk(long incr);

unsigned int sleep(unsigned int secs);
int pause(void);
unsigned int alarm(unsigned int secs);
int usleep(unsigned long usecs);
int getpagesize(void);

#endif
