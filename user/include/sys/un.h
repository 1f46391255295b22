/* sys/un.h: local socket addresses (uapi/socket.h's struct sockaddr_un). */
#ifndef _SYS_UN_H
#define _SYS_UN_H

#include <sys/socket.h>

#endif
