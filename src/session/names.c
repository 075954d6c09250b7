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

static const char *const adjectives[] = {
	"agile", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "daring", "eager",
	"fancy", "fast", "fierce", "gentle", "glad", "golden", "happy", "hidden", "humble", "jolly",
	"keen", "kind", "lively", "lucky", "mellow", "mighty", "misty", "nimble", "noble", "quick",
	"quiet", "rapid", "rustic", "shiny", "silent", "sleek", "smooth", "snowy", "solid", "steady",
	"sunny", "swift", "tidy", "vivid", "warm", "wise", "witty", "zesty",
};
static const char *const nouns[] = {
	"anchor", "badger", "beacon", "birch", "breeze", "canyon", "cedar", "comet", "coral", "crane",
	"delta", "ember", "falcon", "fern", "fjord", "forest", "galaxy", "garnet", "harbor", "heron",
	"island", "jaguar", "lagoon", "lantern", "maple", "meadow", "meteor", "nebula", "oasis", "orbit",
	"otter", "panda", "pebble", "pine", "planet", "quartz", "raven", "reef", "river", "robin",
	"summit", "tiger", "tundra", "valley", "willow", "wolf", "yak", "zephyr",
};

char *name_generate(unsigned long seed)
{
	/* splitmix64 step: good spread from a weak seed */
	unsigned long long z = (unsigned long long)seed + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	size_t na = sizeof adjectives / sizeof adjectives[0], nn = sizeof nouns / sizeof nouns[0];
	return xasprintf("%s-%s", adjectives[z % na], nouns[(z / na) % nn]);
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
