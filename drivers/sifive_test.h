#ifndef _DRIVERS_SIFIVE_TEST_H_
#define _DRIVERS_SIFIVE_TEST_H_
#include <kern/types.h>
int sifive_test_attach(paddr_t base, uint64_t size);
#endif
