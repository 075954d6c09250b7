#include "session/names.h"

#include <string.h>

#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

int name_is_valid(const char *name)
{
	size_t n = strlen(name);
	if (n < 1 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	/* git refuses ".." and a trailing ".lock" in ref names. */
	if (strstr(name, "..") || (n >= 5 && !strcmp(name + n - 5, ".lock")) || name[n - 1] == '.')
		return 0;
	return 1;
}

int name_validate(const char *name, struct error *err)
{
	if (name_is_valid(name))
		return 0;
	error_set(err, PARA_EXIT_USAGE, "invalid session name '%s'", name);
	return error_hint(err, "%s (no '..', no trailing '.' or '.lock')", NAME_RULE);
}

/* An adjective and a noun a row; a name takes the adjective of one row and
 * the noun of another. */
static const char *const words[][2] = {
	{ "agile", "anchor" }, { "bold", "badger" }, { "brave", "beacon" }, { "bright", "birch" },
	{ "calm", "breeze" }, { "clever", "canyon" }, { "cosmic", "cedar" }, { "crisp", "comet" },
	{ "daring", "coral" }, { "eager", "crane" }, { "fancy", "delta" }, { "fast", "ember" },
	{ "fierce", "falcon" }, { "gentle", "fern" }, { "glad", "fjord" }, { "golden", "forest" },
	{ "happy", "galaxy" }, { "hidden", "garnet" }, { "humble", "harbor" }, { "jolly", "heron" },
	{ "keen", "island" }, { "kind", "jaguar" }, { "lively", "lagoon" }, { "lucky", "lantern" },
	{ "mellow", "maple" }, { "mighty", "meadow" }, { "misty", "meteor" }, { "nimble", "nebula" },
	{ "noble", "oasis" }, { "quick", "orbit" }, { "quiet", "otter" }, { "rapid", "panda" },
	{ "rustic", "pebble" }, { "shiny", "pine" }, { "silent", "planet" }, { "sleek", "quartz" },
	{ "smooth", "raven" }, { "snowy", "reef" }, { "solid", "river" }, { "steady", "robin" },
	{ "sunny", "summit" }, { "swift", "tiger" }, { "tidy", "tundra" }, { "vivid", "valley" },
	{ "warm", "willow" }, { "wise", "wolf" }, { "witty", "yak" }, { "zesty", "zephyr" },
};

char *name_generate(unsigned long seed)
{
	/* splitmix64 step: good spread from a weak seed */
	unsigned long long z = (unsigned long long)seed + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	size_t n = sizeof words / sizeof words[0];
	return xasprintf("%s-%s", words[z % n][0], words[(z / n) % n][1]);
}

char *name_sanitize(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (; *s; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')
			strbuf_addch(&sb, c);
		else if (sb.len && sb.buf[sb.len - 1] != '-')
			strbuf_addch(&sb, '-');
	}
	while (sb.len && (sb.buf[0] == '-' || sb.buf[0] == '.' || sb.buf[0] == '_')) {
		memmove(sb.buf, sb.buf + 1, sb.len);
		sb.len--;
	}
	if (sb.len > 40)
		strbuf_setlen(&sb, 40);
	if (!sb.len)
		strbuf_addstr(&sb, "repo");
	return strbuf_detach(&sb, NULL);
}
