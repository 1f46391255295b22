/*
 * SBI calls: ecall with the extension id in a7 and the function in a6.
 */
#include <kern/systm.h>
#include "sbi.h"

struct sbiret
sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
    uint64_t a3, uint64_t a4)
{
	register uint64_t r_a0 __asm__("a0") = a0;
	register uint64_t r_a1 __asm__("a1") = a1;
	register uint64_t r_a2 __asm__("a2") = a2;
	register uint64_t r_a3 __asm__("a3") = a3;
	register uint64_t r_a4 __asm__("a4") = a4;
	register uint64_t r_a6 __asm__("a6") = fid;
	register uint64_t r_a7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
	    : "+r"(r_a0), "+r"(r_a1)
	    : "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a6), "r"(r_a7)
	    : "memory");
	return (struct sbiret){ (long)r_a0, (long)r_a1 };
}

bool
sbi_probe_extension(uint64_t ext)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, 3, ext, 0, 0, 0, 0);

	return r.error == SBI_SUCCESS && r.value != 0;
}

void
sbi_console_putchar(int c)
{
	sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (uint64_t)c, 0, 0, 0, 0);
}

int
sbi_console_getchar(void)
{
	return (int)sbi_call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0, 0, 0).error;
}

void
sbi_set_timer(uint64_t when)
{
	sbi_call(SBI_EXT_TIME, 0, when, 0, 0, 0, 0);
}

int
sbi_send_ipi(uint64_t hart_mask, uint64_t hart_mask_base)
{
	return (int)sbi_call(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0, 0).error;
}

int
sbi_remote_fence_i(uint64_t hart_mask, uint64_t hart_mask_base)
{
	return (int)sbi_call(SBI_EXT_RFENCE, 0, hart_mask, hart_mask_base, 0, 0, 0).error;
}

int
sbi_remote_sfence_vma(uint64_t hart_mask, uint64_t hart_mask_base,
    uint64_t start, uint64_t size)
{
	return (int)sbi_call(SBI_EXT_RFENCE, 1, hart_mask, hart_mask_base, start,
	    size, 0).error;
}

int
sbi_remote_sfence_vma_asid(uint64_t hart_mask, uint64_t hart_mask_base,
    uint64_t start, uint64_t size, uint64_t asid)
{
	return (int)sbi_call(SBI_EXT_RFENCE, 2, hart_mask, hart_mask_base, start,
	    size, asid).error;
}

int
sbi_hart_start(uint64_t hartid, paddr_t start, uint64_t opaque)
{
	return (int)sbi_call(SBI_EXT_HSM, 0, hartid, start, opaque, 0, 0).error;
}

long
sbi_hart_status(uint64_t hartid)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, 2, hartid, 0, 0, 0, 0);

	return r.error ? r.error : r.value;
}

void
sbi_system_reset(uint32_t type, uint32_t reason)
{
	sbi_call(SBI_EXT_SRST, 0, type, reason, 0, 0, 0);
}
