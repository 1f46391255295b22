/*
 * Calls into the Supervisor Binary Interface firmware (OpenSBI).
 */
#ifndef _RISCV_SBI_H_
#define _RISCV_SBI_H_

#include <kern/types.h>

struct sbiret {
	long	error;
	long	value;
};

#define SBI_SUCCESS		0
#define SBI_ERR_NOT_SUPPORTED	(-2)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

#define SBI_EXT_LEGACY_PUTCHAR	0x01
#define SBI_EXT_LEGACY_GETCHAR	0x02
#define SBI_EXT_BASE		0x10
#define SBI_EXT_TIME		0x54494d45	/* "TIME" */
#define SBI_EXT_IPI		0x735049	/* "sPI" */
#define SBI_EXT_RFENCE		0x52464e43	/* "RFNC" */
#define SBI_EXT_HSM		0x48534d	/* "HSM" */
#define SBI_EXT_SRST		0x53525354	/* "SRST" */

struct sbiret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1,
    uint64_t a2, uint64_t a3, uint64_t a4);

bool sbi_probe_extension(uint64_t ext);
void sbi_console_putchar(int c);
int sbi_console_getchar(void);			/* -1 when none */
void sbi_set_timer(uint64_t when);
int sbi_send_ipi(uint64_t hart_mask, uint64_t hart_mask_base);
int sbi_remote_fence_i(uint64_t hart_mask, uint64_t hart_mask_base);
int sbi_remote_sfence_vma(uint64_t hart_mask, uint64_t hart_mask_base,
    uint64_t start, uint64_t size);
int sbi_remote_sfence_vma_asid(uint64_t hart_mask, uint64_t hart_mask_base,
    uint64_t start, uint64_t size, uint64_t asid);
int sbi_hart_start(uint64_t hartid, paddr_t start, uint64_t opaque);
long sbi_hart_status(uint64_t hartid);
void sbi_system_reset(uint32_t type, uint32_t reason);

#define SBI_RESET_SHUTDOWN	0
#define SBI_RESET_REASON_NONE	0
#define SBI_RESET_REASON_FAILURE 1

#endif
