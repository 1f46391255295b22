/* sys/ipc.h: what every System V IPC facility shares (uapi/shm.h). */
#ifndef _SYS_IPC_H
#define _SYS_IPC_H

#include <sys/types.h>
#include <uapi/shm.h>

typedef int key_t;

#endif
