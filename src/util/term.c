#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int term_color(int fd)
{
	const char *nc = getenv("NO_COLOR");
	const char *t = getenv("TERM");
	if (nc && *nc)
		return 0;
	if (t && !strcmp(t, "dumb"))
		return 0;
	return isatty(fd);
}
