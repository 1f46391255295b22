/*
 * /proc/sys/vm's settings (see vm_sysctl.h).
 */
#include <kern/systm.h>
#include <machine/param.h>
#include <vm/vm_commit.h>
#include <vm/vm_page_zero.h>
#include <vm/vm_pageout.h>
#include <vm/vm_superpage.h>
#include <vm/vm_sysctl.h>
#include <fs/mount.h>

#define KB_PER_PAGE	(PAGE_SIZE / 1024)

#define TARGET_GETTER(field)						\
	static uint64_t							\
	get_##field(void)						\
	{								\
		return __atomic_load_n(&vm_pageout_targets.field, __ATOMIC_RELAXED); \
	}

TARGET_GETTER(free_min)
TARGET_GETTER(free_target)
TARGET_GETTER(free_reserved)
TARGET_GETTER(inactive_target)
TARGET_GETTER(wakeup_thresh)

static uint64_t
get_min_free_kbytes(void)
{
	return get_free_min() * KB_PER_PAGE;
}

static uint64_t
get_writeback(void)
{
	return syncer_get_interval();
}

static int
set_writeback(uint64_t centisecs)
{
	if (centisecs > UINT32_MAX)
		return EINVAL;
	syncer_set_interval((uint32_t)centisecs);
	return 0;
}

static uint64_t drop_caches_last;	/* (A) what drop_caches was last given */

static uint64_t
get_drop_caches(void)
{
	return __atomic_load_n(&drop_caches_last, __ATOMIC_RELAXED);
}

static int
set_drop_caches(uint64_t what)
{
	if (what < 1 || what > 3)
		return EINVAL;
	__atomic_store_n(&drop_caches_last, what, __ATOMIC_RELAXED);
	vfs_drop_caches((int)what);
	return 0;
}

#define DROP_CACHES_MODE	0200	/* Linux's: root writes it, nobody else reads it */

static const struct vm_sysctl vm_sysctls[] = {
	{ "min_free_kbytes", get_min_free_kbytes, vm_pageout_set_min_free_kbytes, 0, NULL },
	{ "overcommit_memory", vm_commit_get_mode, vm_commit_set_mode, 0, NULL },
	{ "overcommit_ratio", vm_commit_get_ratio, vm_commit_set_ratio, 0, NULL },
	{ "overcommit_kbytes", vm_commit_get_kbytes, vm_commit_set_kbytes, 0, NULL },
	{ "v_free_min", get_free_min, NULL, 0, NULL },
	{ "v_free_target", get_free_target, NULL, 0, NULL },
	{ "v_free_reserved", get_free_reserved, NULL, 0, NULL },
	{ "v_inactive_target", get_inactive_target, NULL, 0, NULL },
	{ "pageout_wakeup_thresh", get_wakeup_thresh, NULL, 0, NULL },
	{ "prezero_pages", vm_page_zero_get_max, vm_page_zero_set_max, 0, NULL },
	{ "dirty_writeback_centisecs", get_writeback, set_writeback, 0, NULL },
	{ "drop_caches", get_drop_caches, set_drop_caches, DROP_CACHES_MODE, NULL },
	{ "transparent_hugepage", vm_superpage_get_mode, vm_superpage_set_mode, 0,
	    vm_superpage_mode_names },
};

const struct vm_sysctl *
vm_sysctl_find(const char *name, size_t len)
{
	for (size_t i = 0; i < nitems(vm_sysctls); i++)
		if (strlen(vm_sysctls[i].name) == len && memcmp(vm_sysctls[i].name, name, len) == 0)
			return &vm_sysctls[i];
	return NULL;
}

const struct vm_sysctl *
vm_sysctl_at(size_t i)
{
	return i < nitems(vm_sysctls) ? &vm_sysctls[i] : NULL;
}
