/* What a container session will be: image checks and the --dry-run plan. */
#ifndef PARA_PLAN_H
#define PARA_PLAN_H
#include "cli/cli.h"

/* Print the plan and the exact commands (values of secrets masked). */
int plan_print(struct cli *c, const char *name, const struct container_spec *spec, const char *const *agent,
	       const char *setup_script, int json, int reveal);
/* The environment table of para env / --dry-run. */
void plan_print_env(const struct container_spec *spec, int json, int reveal);
/* A variable's value as it may be shown. */
const char *plan_shown_value(const struct spec_env *e, int reveal);

#endif
