/* The pmap's per-page data is plain data: the real header serves. */
#include "../../../../arch/riscv/include/machine/vm_page_md.h"
