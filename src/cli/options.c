/*
 * One option parser for every command: a command declares its options as a
 * table (what each one sets) and cli_parse turns it into getopt_long's, adds
 * -h/--help, and says what is wrong with a bad option in para's one line.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/xalloc.h"
#include "util/banned.h"

enum { LONG_BASE = 256, MAX_OPTS = 32 };

static int takes_value(const struct cli_opt *o)
{
	return o->kind != CLI_FLAG && o->kind != CLI_ENV_NO_FORWARD;
}

/* The table entry getopt_long's return value stands for, or NULL. */
static const struct cli_opt *opt_of(const struct cli_opt *opts, size_t n, int got)
{
	if (got >= LONG_BASE && (size_t)(got - LONG_BASE) < n)
		return &opts[got - LONG_BASE];
	for (size_t i = 0; i < n; i++)
		if (opts[i].short_name && opts[i].short_name == got)
			return &opts[i];
	return NULL;
}

static int apply(const struct cli_opt *o, const char *arg, struct error *err)
{
	struct env_inputs *in = o->dest;
	switch (o->kind) {
	case CLI_FLAG: *(int *)o->dest = 1; return 0;
	case CLI_STR: *(const char **)o->dest = arg; return 0;
	case CLI_STRV: strvec_push(o->dest, arg); return 0;
	case CLI_ENV_VAR:
		if (env_arg_check(arg, err) < 0)
			return -1;
		strvec_push(&in->e_args, arg);
		return 0;
	case CLI_ENV_FILE: return env_inputs_add_file(in, arg, err);
	case CLI_ENV_NO_FORWARD: in->no_forward = 1; return 0;
	case CLI_ENV_PROFILE:
	default:
		free(in->profile);
		in->profile = xstrdup(arg);
		return 0;
	}
}

/* The help of "image build" is the help of "image". */
static _Noreturn void help_exit(const char *cmd)
{
	char name[64];
	size_t n = strcspn(cmd, " ");
	if (n >= sizeof name)
		n = sizeof name - 1;
	memcpy(name, cmd, n);
	name[n] = '\0';
	cli_help_exit(name);
}

/* The options every command has, meaning the same everywhere (README,
 * "Output"): -v shows each engine command, -q drops the progress notes. */
static size_t common_options(struct cli *c, struct cli_opt *v)
{
	size_t n = 0;
	v[n++] = (struct cli_opt){ "verbose", 'v', CLI_FLAG, &c->verbose };
	v[n++] = (struct cli_opt){ "quiet", 'q', CLI_FLAG, &c->quiet };
	return n;
}

static int check_operands(const char *cmd, int first, int argc, char **argv, unsigned flags)
{
	unsigned most = flags & 0xffu;
	if (!most || (unsigned)(argc - first) < most)
		return first;
	if (most == 1)
		return -cli_usage(cmd, "unexpected argument '%s'", argv[first]);
	return -cli_usage(cmd, "too many arguments");
}

int cli_parse(struct cli *c, const char *cmd, int argc, char **argv, const struct cli_opt *own, unsigned flags)
{
	struct cli_opt opts[MAX_OPTS + 1];
	struct option lo[MAX_OPTS + 2];
	char so[3 * MAX_OPTS + 4];
	size_t n = common_options(c, opts), k = 0;
	for (size_t i = 0; own[i].name; i++) {
		if (n == MAX_OPTS)
			abort(); /* a command's table is too long: raise MAX_OPTS */
		opts[n++] = own[i];
	}
	opts[n] = (struct cli_opt)CLI_OPT_END;
	n = 0;
	if (flags & CLI_OPTIONS_FIRST)
		so[k++] = '+';
	so[k++] = ':';
	so[k++] = 'h';
	for (; opts[n].name; n++) {
		lo[n] = (struct option){ opts[n].name, takes_value(&opts[n]) ? required_argument : no_argument, NULL,
					 LONG_BASE + (int)n };
		if (opts[n].short_name) {
			so[k++] = (char)opts[n].short_name;
			if (takes_value(&opts[n]))
				so[k++] = ':';
		}
	}
	lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	so[k] = '\0';
	optind = 1;
	opterr = 0;
	int got;
	while ((got = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (got == 'h')
			help_exit(cmd);
		if (got == ':')
			return -cli_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
		const struct cli_opt *o = opt_of(opts, n, got);
		if (!o)
			return -cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
		struct error err = ERROR_INIT;
		if (apply(o, optarg, &err) < 0)
			return -cli_fail(&err);
	}
	cli_output_quiet(c->quiet);
	return check_operands(cmd, optind, argc, argv, flags);
}
