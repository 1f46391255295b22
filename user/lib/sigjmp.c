/* sigjmp.c: the signal-mask half of sigsetjmp and siglongjmp. */
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>

int __sigsetjmp_mask(sigjmp_buf env, int savemask);

/* Called by sigsetjmp (setjmp.S) after it saved the registers. */
int
__sigsetjmp_mask(sigjmp_buf env, int savemask)
{
	env->__mask_saved = savemask != 0;
	if (savemask)
		sigprocmask(SIG_BLOCK, NULL, &env->__mask);
	return 0;
}

void
siglongjmp(sigjmp_buf env, int val)
{
	if (env->__mask_saved)
		sigprocmask(SIG_SETMASK, &env->__mask, NULL);
	longjmp(env, val);
}
