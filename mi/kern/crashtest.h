#ifndef _KERN_CRASHTEST_H_
#define _KERN_CRASHTEST_H_
/* Crash on purpose in the way name says (see crashtest.c); returns for unknown names. */
void crashtest(const char *name);
#endif
