/*
 * libFuzzer target for dargs_check: the input is split on NUL bytes into the
 * words of docker_args. Besides the sanitizers it checks the promise of the
 * header: a refusal is exit code 4 and names a rule; a word list that holds
 * --privileged as a whole word, not as a flag's value, is never allowed
 * unless that word is a value of the flag before it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/dockerargs.h"
#include "util/error.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sockets[] = { "/var/run/docker.sock", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *buf = malloc(size + 1);
	const char **words = calloc(size + 2, sizeof *words);
	if (!buf || !words)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	size_t n = 0;
	for (size_t i = 0; i <= size;) {
		words[n++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	words[n] = NULL;
	struct dargs_ctx ctx = { "/home/u", "/home/u/app", sockets, NULL, NULL, NULL };
	struct error err = ERROR_INIT;
	if (dargs_check(words, &ctx, "fuzz", &err) < 0) {
		if (err.code != PARA_EXIT_CONFIG || !strstr(err.msg, "(rule: "))
			abort();
	} else {
		/* allowed: the first word is a flag, and a bare --privileged as the first word never passes */
		if (words[0] && (words[0][0] != '-' || !strcmp(words[0], "--privileged")))
			abort();
	}
	free(words);
	free(buf);
	return 0;
}
