/* sys/prctl.h: prctl(2)'s options (uapi/prctl.h); call it through syscall(SYS_prctl, ...). */
#ifndef _SYS_PRCTL_H
#define _SYS_PRCTL_H

#include <uapi/prctl.h>

#endif
