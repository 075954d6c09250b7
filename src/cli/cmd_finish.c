/* para finish: parse, lock, call the lifecycle, print */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "session/lifecycle.h"
#include "session/names.h"
#include "util/jsonutil.h"
#include "util/xalloc.h"
#include "util/banned.h"

int cmd_finish(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	struct finish_result res;
	const char *target = NULL;
	int ret = 0;
	const struct cli_opt opts[] = {
		{ "branch", 'b', CLI_STR, &target },
		CLI_OPT_END,
	};
	int first = cli_parse(&c, argv[0], argc, argv, opts, 0);
	if (first < 0)
		return -first;
	if (first >= argc)
		return cli_usage(argv[0], "a commit message is required: para finish MESSAGE [NAME]");
	if (argc - first > 2)
		return cli_usage(argv[0], "too many arguments: quote the message");
	const char *msg = argv[first];
	if (!*msg)
		return cli_usage(argv[0], "the commit message is empty");
	if (cli_open(&c, &err) < 0 ||
	    cli_session_locked(&c, first + 1 < argc ? argv[first + 1] : NULL, &s, &err) < 0) {
		ret = cli_fail(&err);
	} else {
		struct lifecycle lc = CLI_LIFECYCLE(&c);
		if (lifecycle_finish(&lc, &s, msg, target, &res, &err) < 0) {
			ret = cli_fail(&err);
		} else {
			if (!res.committed)
				cli_note(&c, "nothing to commit in '%s'", s.name);
			printf("finished %s: branch %s at %s\n", s.name, s.branch, res.head);
		}
	}
	session_clear(&s);
	cli_close(&c);
	return ret;
}
