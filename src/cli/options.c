/*
 * One option parser for every command: the options are the table's
 * (table.c), the command says where their values go, and cli_parse turns
 * them into getopt_long's, adds -v, -q and -h, and says what is wrong with a
 * bad option in para's one line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/xalloc.h"
#include "util/banned.h"

enum { LONG_BASE = 256, MAX_OPTS = 40 };

/* One option as parsed: its definition and where it goes. */
struct slot {
	const struct cli_optdef *def;
	void *dest;
};

static int takes_value(const struct cli_optdef *o)
{
	return o->arg != NULL;
}

/* The slot getopt_long's return value stands for, or NULL. */
static const struct slot *slot_of(const struct slot *v, size_t n, int got)
{
	if (got >= LONG_BASE && (size_t)(got - LONG_BASE) < n)
		return &v[got - LONG_BASE];
	for (size_t i = 0; i < n; i++)
		if (v[i].def->short_name && v[i].def->short_name == got)
			return &v[i];
	return NULL;
}

static int apply(const struct slot *o, const char *arg, struct error *err)
{
	struct env_inputs *in = o->dest;
	switch (o->def->kind) {
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

static _Noreturn void bug(const char *cmd, const char *what, const char *name)
{
	fprintf(stderr, "para: internal error: %s '%s' of '%s' (src/cli/table.c and the command disagree)\n", what,
		name, cmd);
	abort();
}

/* The command's options from the table, each with its binding; then the
 * ones every command has, meaning the same everywhere: -q drops the
 * progress notes (list: names only), -v shows each engine command. */
static size_t slots(struct cli *c, const struct cli_cmddef *def, const struct cli_bind *binds, struct slot *v)
{
	size_t n = 0;
	for (const struct cli_optdef *o = def->opts; o->name; o++) {
		const struct cli_bind *b = binds;
		while (b->name && strcmp(b->name, o->name))
			b++;
		if (!b->name)
			bug(def->name, "no variable for option", o->name);
		if (n == MAX_OPTS - 2)
			abort(); /* a command's table is too long: raise MAX_OPTS */
		v[n++] = (struct slot){ o, b->dest };
	}
	for (const struct cli_bind *b = binds; b->name; b++) {
		size_t i = 0;
		while (i < n && strcmp(v[i].def->name, b->name))
			i++;
		if (i == n)
			bug(def->name, "a variable for no option", b->name);
	}
	v[n++] = (struct slot){ &cli_common_quiet, &c->quiet };
	v[n++] = (struct slot){ &cli_common_verbose, &c->verbose };
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

int cli_parse(struct cli *c, const char *cmd, int argc, char **argv, const struct cli_bind *binds, unsigned flags)
{
	const struct cli_cmddef *def = cli_cmd(cmd);
	struct slot v[MAX_OPTS];
	struct option lo[MAX_OPTS + 2];
	char so[3 * MAX_OPTS + 4];
	if (!def)
		bug(cmd, "no table entry for", cmd);
	size_t n = slots(c, def, binds, v), k = 0;
	if (flags & CLI_OPTIONS_FIRST)
		so[k++] = '+';
	so[k++] = ':';
	so[k++] = 'h';
	for (size_t i = 0; i < n; i++) {
		lo[i] = (struct option){ v[i].def->name, takes_value(v[i].def) ? required_argument : no_argument, NULL,
					 LONG_BASE + (int)i };
		if (v[i].def->short_name) {
			so[k++] = (char)v[i].def->short_name;
			if (takes_value(v[i].def))
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
			cli_help_exit(cmd);
		if (got == ':')
			return -cli_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
		const struct slot *o = slot_of(v, n, got);
		if (!o)
			return -cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
		struct error err = ERROR_INIT;
		if (apply(o, optarg, &err) < 0)
			return -cli_fail(&err);
	}
	cli_output_quiet(c->quiet);
	return check_operands(cmd, optind, argc, argv, flags);
}
