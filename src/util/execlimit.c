#include "util/execlimit.h"

#include <string.h>
#include <unistd.h>

#include "util/banned.h"

extern char **environ;

size_t exec_string_max(void)
{
	long page = sysconf(_SC_PAGESIZE);
	return (size_t)(page > 0 ? page : 4096) * 32 - 1;
}

size_t exec_arg_max(void)
{
	long max = sysconf(_SC_ARG_MAX);
	return max > 0 ? (size_t)max : 131072;
}

size_t exec_room(void)
{
	size_t total = exec_arg_max(), used = 4096; /* slack: auxv, the path, alignment */
	for (char **e = environ; e && *e; e++)
		used += strlen(*e) + 1 + sizeof *e;
	return used < total ? total - used : 0;
}
