/* para finish: parse, lock, call the lifecycle, print */
#include <getopt.h>
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
	static const struct option opts[] = {
		{ "branch", required_argument, NULL, 'b' }, { "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	struct finish_result res;
	const char *target = NULL;
	int opt, ret = 0;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hb:qv", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': target = optarg; break;
		case 'q': c.quiet = 1; break;
		case 'v': c.verbose = 1; break;
		case ':': return cli_usage(argv[0], "option '%s' needs a value", argv[optind - 1]);
		case 'h': cli_help_exit(argv[0]);
		default: return cli_usage(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage(argv[0], "a commit message is required: para finish MESSAGE [NAME]");
	if (argc - optind > 2)
		return cli_usage(argv[0], "too many arguments: quote the message");
	const char *msg = argv[optind];
	if (!*msg)
		return cli_usage(argv[0], "the commit message is empty");
	if (cli_open(&c, &err) < 0 ||
	    cli_session_locked(&c, optind + 1 < argc ? argv[optind + 1] : NULL, &s, &err) < 0) {
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
