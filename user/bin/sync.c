/* sync: write every file system's dirty data and metadata to its disk. */
#include <unistd.h>

int
main(void)
{
	sync();
	return 0;
}
