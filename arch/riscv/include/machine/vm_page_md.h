/*
 * The pmap's per-page data, embedded in struct vm_page.
 */
#ifndef _MACHINE_VM_PAGE_MD_H_
#define _MACHINE_VM_PAGE_MD_H_

struct pv_entry;

struct md_page {
	struct pv_entry	*pv_list;	/* (M) mappings of this page */
};

#endif
