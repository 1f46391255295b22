/*
 * Copying between the kernel and user space (see kern/copy.h): the range
 * checks.  The accesses themselves, with sstatus.SUM set and a recovery
 * address for faults, are in copy.S.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/witness.h>
#include <machine/param.h>

/* copy.S: 0 or EFAULT (riscv_copyinstr also ENAMETOOLONG). */
int riscv_copy_user(void *dst, const void *src, size_t len);
int riscv_copyinstr(char *dst, const char *src, size_t maxlen, size_t *copied);
int riscv_fetch_u8(const void *uaddr, uint8_t *out);
int riscv_fetch_u16(const void *uaddr, uint16_t *out);
int riscv_fetch_u32(const void *uaddr, uint32_t *out);
int riscv_fetch_u64(const void *uaddr, uint64_t *out);
int riscv_store_u8(void *uaddr, uint8_t v);
int riscv_store_u16(void *uaddr, uint16_t v);
int riscv_store_u32(void *uaddr, uint32_t v);
int riscv_store_u64(void *uaddr, uint64_t v);

int
copy_check_range(const void *uaddr, size_t len)
{
	vaddr_t end;

	if (add_overflows((vaddr_t)uaddr, len, &end) || end > USER_MAX)
		return EFAULT;
	return 0;
}

/* A naturally aligned user word of size bytes: 0 or EFAULT. */
static int
check_word(const void *uaddr, size_t size)
{
	witness_check_sleep(WITNESS_USER_ACCESS, NULL);
	if ((vaddr_t)uaddr & (size - 1))
		return EFAULT;
	return copy_check_range(uaddr, size);
}

int
copyin(const void *uaddr, void *kaddr, size_t len)
{
	int error = copy_check_range(uaddr, len);

	witness_check_sleep(WITNESS_USER_ACCESS, NULL);
	if (error != 0 || len == 0)
		return error;
	return riscv_copy_user(kaddr, uaddr, len);
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	int error = copy_check_range(uaddr, len);

	witness_check_sleep(WITNESS_USER_ACCESS, NULL);
	if (error != 0 || len == 0)
		return error;
	return riscv_copy_user(uaddr, kaddr, len);
}

int
copyinstr(const void *uaddr, char *kaddr, size_t maxlen, size_t *done)
{
	size_t copied = 0, len;
	int error = EFAULT;

	witness_check_sleep(WITNESS_USER_ACCESS, NULL);
	if ((vaddr_t)uaddr < USER_MAX) {
		/* Read no further than user space goes: a string running past it faults. */
		len = MIN(maxlen, USER_MAX - (vaddr_t)uaddr);
		error = riscv_copyinstr(kaddr, uaddr, len, &copied);
		if (error == ENAMETOOLONG && len < maxlen)
			error = EFAULT;
	}
	if (error == EFAULT)
		copied = 0;
	if (done != NULL)
		*done = copied;
	return error;
}

int
fetch_u8(const void *uaddr, uint8_t *out)
{
	int error = check_word(uaddr, sizeof(*out));

	return error != 0 ? error : riscv_fetch_u8(uaddr, out);
}

int
fetch_u16(const void *uaddr, uint16_t *out)
{
	int error = check_word(uaddr, sizeof(*out));

	return error != 0 ? error : riscv_fetch_u16(uaddr, out);
}

int
fetch_u32(const void *uaddr, uint32_t *out)
{
	int error = check_word(uaddr, sizeof(*out));

	return error != 0 ? error : riscv_fetch_u32(uaddr, out);
}

int
fetch_u64(const void *uaddr, uint64_t *out)
{
	int error = check_word(uaddr, sizeof(*out));

	return error != 0 ? error : riscv_fetch_u64(uaddr, out);
}

int
store_u8(void *uaddr, uint8_t v)
{
	int error = check_word(uaddr, sizeof(v));

	return error != 0 ? error : riscv_store_u8(uaddr, v);
}

int
store_u16(void *uaddr, uint16_t v)
{
	int error = check_word(uaddr, sizeof(v));

	return error != 0 ? error : riscv_store_u16(uaddr, v);
}

int
store_u32(void *uaddr, uint32_t v)
{
	int error = check_word(uaddr, sizeof(v));

	return error != 0 ? error : riscv_store_u32(uaddr, v);
}

int
store_u64(void *uaddr, uint64_t v)
{
	int error = check_word(uaddr, sizeof(v));

	return error != 0 ? error : riscv_store_u64(uaddr, v);
}
