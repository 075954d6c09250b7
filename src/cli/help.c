/*
 * --help: a command's prose (help.txt) and then its options, written from
 * the table (table.c), so the help lists exactly what the parser takes.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/strbuf.h"
#include "util/banned.h"

#define HELP_COL 24
#define HELP_WIDTH 80

/* "  -p, --prompt PROMPT" */
void cli_opt_synopsis(const struct cli_optdef *o, struct strbuf *sb)
{
	if (o->short_name)
		strbuf_addf(sb, "  -%c, --%s", o->short_name, o->name);
	else
		strbuf_addf(sb, "      --%s", o->name);
	if (o->arg)
		strbuf_addf(sb, " %s", o->arg);
}

/* One option: its synopsis, then its help from column HELP_COL, wrapped. */
static void put_opt(struct strbuf *out, const struct cli_optdef *o)
{
	struct strbuf sb = STRBUF_INIT;
	cli_opt_synopsis(o, &sb);
	strbuf_add(out, sb.buf, sb.len);
	size_t col = sb.len;
	strbuf_release(&sb);
	if (col + 1 >= HELP_COL) {
		strbuf_addch(out, '\n');
		col = 0;
	}
	for (const char *w = o->help; *w;) {
		size_t n = strcspn(w, " ");
		if (col > HELP_COL && col + 1 + n > HELP_WIDTH) {
			strbuf_addch(out, '\n');
			col = 0;
		}
		if (col < HELP_COL) {
			strbuf_addf(out, "%*s", (int)(HELP_COL - col), "");
			col = HELP_COL;
		} else {
			strbuf_addch(out, ' ');
			col++;
		}
		strbuf_add(out, w, n);
		col += n;
		w += n;
		while (*w == ' ')
			w++;
	}
	strbuf_addch(out, '\n');
}

static void put_opts(struct strbuf *out, const char *title, const struct cli_cmddef *c, int common)
{
	if (!c->opts[0].name && !common)
		return;
	strbuf_addf(out, "\n%s:\n", title);
	for (const struct cli_optdef *o = c->opts; o->name; o++)
		put_opt(out, o);
	if (!common)
		return;
	put_opt(out, &cli_common_quiet);
	put_opt(out, &cli_common_verbose);
	put_opt(out, &cli_common_help);
}

static const char *prose(const char *name)
{
	for (const struct help_text *h = help_texts; h->name; h++)
		if (!strcmp(h->name, name))
			return h->text;
	return NULL;
}

void cli_help_text(const struct cli_cmddef *c, struct strbuf *out)
{
	const char *text = prose(c->name);
	strbuf_addstr(out, text ? text : "");
	if (!cli_has_subs(c)) {
		put_opts(out, "options", c, 1);
		return;
	}
	for (const struct cli_cmddef *s = cli_commands; s->name; s++) {
		if (!cli_sub_word(c, s))
			continue;
		char title[64];
		snprintf(title, sizeof title, "%s options", s->name);
		put_opts(out, title, s, 0);
	}
	strbuf_addstr(out, "\ncommon options:\n");
	put_opt(out, &cli_common_quiet);
	put_opt(out, &cli_common_verbose);
	put_opt(out, &cli_common_help);
}

int cli_help(const char *name)
{
	char parent[64];
	snprintf(parent, sizeof parent, "%.*s", (int)strcspn(name, " "), name);
	const struct cli_cmddef *c = cli_cmd(parent);
	if (!c || (c->flags & CLI_HIDDEN))
		return PARA_EXIT_USAGE;
	struct strbuf out = STRBUF_INIT;
	cli_help_text(c, &out);
	int r = fwrite(out.buf, 1, out.len, stdout) == out.len ? 0 : PARA_EXIT_FAIL;
	strbuf_release(&out);
	return r;
}
