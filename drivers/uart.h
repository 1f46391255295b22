#ifndef _DRIVERS_UART_H_
#define _DRIVERS_UART_H_
#include <kern/platform.h>
/* Map the console UART the device tree names and make it the console. */
int uart_console_attach(const struct plat_uart *pu);
#endif
