/*
 * sysinfo(2): the system at a glance, as Linux's do_sysinfo reports it on
 * a 64-bit machine (memory in bytes, mem_unit 1; the uptime rounded up to
 * the second; the load averages with SI_LOAD_SHIFT fraction bits).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/loadavg.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/time.h>
#include <vm/swap_device.h>
#include <vm/vm_page.h>
#include <uapi/sysinfo.h>

SYSCALL(sysinfo)
{
	uint32_t running, blocked, nthreads;
	uint64_t ns = uptime_ns(), avg[3];
	struct sysinfo si;

	memset(&si, 0, sizeof(si));
	si.uptime = (long)(ns / NSEC_PER_SEC + (ns % NSEC_PER_SEC != 0));
	loadavg_get(avg);
	for (int i = 0; i < 3; i++)
		si.loads[i] = avg[i] << (SI_LOAD_SHIFT - FSHIFT);
	si.totalram = vm_page_count_total() * PAGE_SIZE;
	si.freeram = vm_page_count_free() * PAGE_SIZE;
	si.totalswap = swap_total_pages() * PAGE_SIZE;
	si.freeswap = swap_free_pages() * PAGE_SIZE;
	sched_load_sample(&running, &blocked, &nthreads);
	si.procs = (uint16_t)MIN(nthreads, UINT16_MAX);
	si.mem_unit = 1;
	return copyout(&si, (void *)a[0], sizeof(si)) ? -EFAULT : 0;
}
