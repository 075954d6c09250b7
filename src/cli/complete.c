/*
 * Shell completion from the command table. 'para completion SHELL' prints a
 * small script; the script asks 'para __complete WORD...' (the words after
 * "para", the last one being completed, maybe empty) and gets one candidate
 * a line, "WORD<TAB>DESCRIPTION", or the single line ":file" when a file
 * name is wanted. Commands, subcommands and options come from the table;
 * session, archive, profile and image names and config keys from the
 * repository's state, git and the config files: never from the engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/schema.h"
#include "session/session.h"
#include "util/banned.h"

static const char bash_script[] =
	"# para completion for bash: 'source <(para completion bash)' in ~/.bashrc, or\n"
	"# para completion bash >/usr/share/bash-completion/completions/para\n"
	"_para() {\n"
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]} IFS=$'\\n' line\n"
	"\tlocal -a out\n"
	"\tout=($(command para __complete \"${COMP_WORDS[@]:1:COMP_CWORD}\" 2>/dev/null))\n"
	"\tCOMPREPLY=()\n"
	"\tif [ \"${out[0]}\" = :file ]; then\n"
	"\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tfor line in \"${out[@]}\"; do\n"
	"\t\tCOMPREPLY+=(\"${line%%$'\\t'*}\")\n"
	"\tdone\n"
	"}\n"
	"complete -F _para para\n";

static const char zsh_script[] =
	"#compdef para\n"
	"# para completion for zsh: 'source <(para completion zsh)' after compinit in\n"
	"# ~/.zshrc, or para completion zsh >\"${fpath[1]}/_para\"\n"
	"_para() {\n"
	"\tlocal -a out cands\n"
	"\tlocal line\n"
	"\tout=(\"${(@f)$(command para __complete \"${(@)words[2,CURRENT]}\" 2>/dev/null)}\")\n"
	"\tif [[ $out[1] == :file ]]; then\n"
	"\t\t_files\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tfor line in $out; do\n"
	"\t\t[[ -n $line ]] && cands+=(\"${${line%%$'\\t'*}//:/\\\\:}:${line#*$'\\t'}\")\n"
	"\tdone\n"
	"\t_describe -t para 'para' cands\n"
	"}\n"
	"if [[ $funcstack[1] == _para ]]; then\n"
	"\t_para \"$@\"\n"
	"else\n"
	"\tcompdef _para para\n"
	"fi\n";

static const char fish_script[] =
	"# para completion for fish: para completion fish | source, or\n"
	"# para completion fish >~/.config/fish/completions/para.fish\n"
	"function __para_complete\n"
	"\tset -l words (commandline -opc) (commandline -ct)\n"
	"\tset -e words[1]\n"
	"\tset -l out (command para __complete $words 2>/dev/null)\n"
	"\tif test \"$out[1]\" = :file\n"
	"\t\t__fish_complete_path (commandline -ct)\n"
	"\t\treturn\n"
	"\tend\n"
	"\tprintf '%s\\n' $out\n"
	"end\n"
	"complete -c para -f -a '(__para_complete)'\n";

int cmd_completion(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	const struct cli_bind opts[] = { CLI_BIND_END };
	int first = cli_parse(&c, "completion", argc, argv, opts, CLI_OPERANDS(1));
	if (first < 0)
		return -first;
	const char *sh = first < argc ? argv[first] : NULL;
	const char *script = !sh ? NULL
			     : !strcmp(sh, "bash") ? bash_script
			     : !strcmp(sh, "zsh")  ? zsh_script
			     : !strcmp(sh, "fish") ? fish_script
						   : NULL;
	if (!script)
		return cli_usage("completion", sh ? "no completion for '%s': say bash, zsh or fish"
						  : "which shell? say bash, zsh or fish",
				 sh);
	return fputs(script, stdout) < 0 ? PARA_EXIT_FAIL : 0;
}

/* ---- para __complete ------------------------------------------------------ */

static const char *cur_word;

static void cand(const char *word, const char *desc)
{
	if (strncmp(word, cur_word, strlen(cur_word)))
		return;
	printf("%s\t%s\n", word, desc ? desc : "");
}

static void cand_opt(const struct cli_optdef *o)
{
	char w[80];
	snprintf(w, sizeof w, "--%s", o->name);
	cand(w, o->help);
}

static void options_of(const struct cli_cmddef *d)
{
	for (const struct cli_optdef *o = d->opts; o->name; o++)
		cand_opt(o);
	cand_opt(&cli_common_quiet);
	cand_opt(&cli_common_verbose);
	cand_opt(&cli_common_help);
}

/* The repository and its config, quietly: completion says nothing. */
static int open_quiet(struct cli *c, int need_config)
{
	char cwd[4096];
	struct error err = ERROR_INIT;
	if (!getcwd(cwd, sizeof cwd) || repo_discover(cwd, &c->repo, &err) < 0)
		return -1;
	if (need_config && config_load(&c->cfg, c->repo.root, &err) < 0)
		return -1;
	return 0;
}

static void sessions(void)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct session *v = NULL;
	size_t n = 0;
	if (open_quiet(&c, 0) == 0 && state_list(&c.repo, &v, &n, &err) == 0)
		for (size_t i = 0; i < n; i++)
			cand(v[i].name, v[i].container ? "container session" : "host session");
	for (size_t i = 0; i < n; i++)
		session_clear(&v[i]);
	free(v);
	cli_close(&c);
}

static void archived(void)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct strvec refs = STRVEC_INIT;
	if (open_quiet(&c, 1) == 0 && archive_list(&c.repo, &c.cfg, NULL, &refs, &err) == 0)
		for (size_t i = 0; i < refs.nr; i++) {
			char *name = NULL, *stamp = NULL;
			if (archive_parse(&c.cfg, refs.v[i], &name, &stamp) == 0)
				cand(name, stamp);
			free(name);
			free(stamp);
		}
	strvec_clear(&refs);
	cli_close(&c);
}

/* Profile names, or (images) the images config names: the default image
 * and each profile's. */
static void from_config(int images)
{
	struct cli c = CLI_INIT;
	if (open_quiet(&c, 1) < 0) {
		cli_close(&c);
		return;
	}
	json_t *profiles = config_get(&c.cfg, "docker.profiles"), *p;
	const char *name;
	if (images) {
		const char *img = config_str(&c.cfg, "docker.default_image");
		if (img)
			cand(img, "docker.default_image");
	}
	json_object_foreach(profiles, name, p)
	{
		json_t *img = json_object_get(p, "image");
		if (!images)
			cand(name, "profile");
		else if (json_is_string(img))
			cand(json_string_value(img), name);
	}
	cli_close(&c);
}

static void complete_kind(const struct cli_cmddef *d, const struct cli_optdef *o, enum cli_complete kind)
{
	switch (kind) {
	case COMP_FILE: printf(":file\n"); break;
	case COMP_SESSION: sessions(); break;
	case COMP_ARCHIVED: archived(); break;
	case COMP_PROFILE: from_config(0); break;
	case COMP_IMAGE: from_config(1); break;
	case COMP_COMMAND:
		for (const struct cli_cmddef *c = cli_commands; c->name; c++)
			if (c->fn && !(c->flags & CLI_HIDDEN))
				cand(c->name, c->summary);
		break;
	case COMP_CONFIG_KEY:
		for (size_t i = 0; i < schema_nrules; i++)
			if (!strchr(schema_rules[i].path, '*'))
				cand(schema_rules[i].path, schema_rules[i].doc);
		break;
	case COMP_CHOICES: {
		const char *w = cli_choices(d, o);
		while (w && *w) {
			char word[64];
			size_t n = strcspn(w, " ");
			snprintf(word, sizeof word, "%.*s", (int)n, w);
			cand(word, NULL);
			w += n + (w[n] == ' ');
		}
		break;
	}
	case COMP_NONE:
	default: break;
	}
}

static const struct cli_optdef *find_long(const struct cli_cmddef *d, const char *name, size_t n)
{
	for (const struct cli_optdef *o = d->opts; o->name; o++)
		if (strlen(o->name) == n && !strncmp(o->name, name, n))
			return o;
	return NULL;
}

static const struct cli_optdef *find_short(const struct cli_cmddef *d, int ch)
{
	for (const struct cli_optdef *o = d->opts; o->name; o++)
		if (o->short_name == ch)
			return o;
	return NULL;
}

/* The operand at index i: finish's session comes after its message. */
static enum cli_complete operand_kind(const struct cli_cmddef *d, int i)
{
	return i == (strcmp(d->name, "finish") ? 0 : 1) ? d->operand : COMP_NONE;
}

int cmd_complete(int argc, char **argv)
{
	/* argv[1..argc-1]: the words; the last is the one completed */
	if (argc < 2)
		return 0;
	cur_word = argv[argc - 1];
	if (argc == 2) {
		complete_kind(NULL, NULL, COMP_COMMAND);
		return 0;
	}
	const struct cli_cmddef *d = cli_cmd(argv[1]);
	int i = 2;
	if (!d || !d->fn || (d->flags & CLI_HIDDEN))
		return 0;
	if (cli_has_subs(d)) {
		if (argc == 3) {
			for (const struct cli_cmddef *s = cli_commands; s->name; s++)
				if (cli_sub_word(d, s))
					cand(cli_sub_word(d, s), s->summary);
			return 0;
		}
		if (!(d = cli_sub(d, argv[2])))
			return 0;
		i = 3;
	}
	/* what the words before the current one were: values, options, operands */
	const struct cli_optdef *want = NULL;
	int operands = 0, dashdash = 0;
	for (; i < argc - 1; i++) {
		const char *w = argv[i];
		if (want) {
			want = NULL;
		} else if (dashdash || w[0] != '-' || !w[1]) {
			operands++;
		} else if (!strcmp(w, "--")) {
			dashdash = 1;
		} else if (w[1] == '-') {
			const struct cli_optdef *o = find_long(d, w + 2, strcspn(w + 2, "="));
			if (o && o->arg && !strchr(w, '='))
				want = o;
		} else {
			for (const char *p = w + 1; *p; p++) {
				const struct cli_optdef *o = find_short(d, *p);
				if (o && o->arg) {
					if (!p[1])
						want = o;
					break;
				}
			}
		}
	}
	if (want)
		complete_kind(d, want, want->comp);
	else if (dashdash)
		; /* a command's own words (exec NAME -- CMD...): the shell's business */
	else if (cur_word[0] == '-')
		options_of(d);
	else
		complete_kind(d, NULL, operand_kind(d, operands));
	return 0;
}

/* para __table: "COMMAND<TAB>--LONG<TAB>-S" for every option of every
 * command the user sees (the common ones too), "COMMAND" alone for one
 * with no option at all; what tests hold help, man page and completions to. */
int cmd_table(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (const struct cli_cmddef *c = cli_commands; c->name; c++) {
		if (c->flags & CLI_HIDDEN)
			continue;
		printf("%s\n", c->name);
		for (const struct cli_optdef *o = c->opts; o->name; o++) {
			char sh[3] = { '-', (char)o->short_name, '\0' };
			printf("%s\t--%s\t%s\n", c->name, o->name, o->short_name ? sh : "");
		}
		if (cli_has_subs(c))
			continue; /* its subcommands have the common ones */
		printf("%s\t--quiet\t-q\n%s\t--verbose\t-v\n%s\t--help\t-h\n", c->name, c->name, c->name);
	}
	return 0;
}
