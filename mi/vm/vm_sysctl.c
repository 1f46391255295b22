/*
 * /proc/sys/vm's settings (see vm_sysctl.h).
 */
#include <kern/systm.h>
#include <machine/param.h>
#include <vm/vm_commit.h>
#include <vm/vm_pageout.h>
#include <vm/vm_sysctl.h>

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

static const struct vm_sysctl vm_sysctls[] = {
	{ "min_free_kbytes", get_min_free_kbytes, vm_pageout_set_min_free_kbytes },
	{ "overcommit_memory", vm_commit_get_mode, vm_commit_set_mode },
	{ "overcommit_ratio", vm_commit_get_ratio, vm_commit_set_ratio },
	{ "overcommit_kbytes", vm_commit_get_kbytes, vm_commit_set_kbytes },
	{ "v_free_min", get_free_min, NULL },
	{ "v_free_target", get_free_target, NULL },
	{ "v_free_reserved", get_free_reserved, NULL },
	{ "v_inactive_target", get_inactive_target, NULL },
	{ "pageout_wakeup_thresh", get_wakeup_thresh, NULL },
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
