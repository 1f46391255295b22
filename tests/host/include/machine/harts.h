/* The harts interface is pure device-tree logic: the real header serves. */
#include "../../../../arch/riscv/include/machine/harts.h"
