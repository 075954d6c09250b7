/*
 * The network allowlist (allowlist.h). Entries are normalised when added
 * (lower case, no trailing dot, addresses in inet_ntop's canonical form),
 * and a host to match is normalised the same way, so matching is plain
 * string comparison.
 */
#include "allowlist.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

#define NAME_MAX_LEN 253
#define LABEL_MAX_LEN 63
/* Room for any host allowlist_match looks at: a name or an address. */
#define HOST_BUF (NAME_MAX_LEN + 2)

static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* NULL when s (len bytes, no trailing dot) is a DNS name, else what is wrong. */
static const char *name_problem(const char *s, size_t len)
{
	if (len == 0)
		return "an empty name";
	if (len > NAME_MAX_LEN)
		return "a name longer than 253 bytes";
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!name_char((unsigned char)s[i]))
				return s[i] == '*' ? "'*' is only allowed as a leading \"*.\""
						   : "a character that is not a letter, digit, '-' or '_'";
			continue;
		}
		size_t n = i - start;
		if (n == 0)
			return "an empty label";
		if (n > LABEL_MAX_LEN)
			return "a label longer than 63 bytes";
		if (s[start] == '-' || s[i - 1] == '-')
			return "a label starting or ending with '-'";
		start = i + 1;
	}
	return NULL;
}

static int all_digits_and_dots(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/*
 * Normalise host (len bytes, not NUL-terminated) into out: an IPv6 address
 * (brackets already removed) or IPv4 address in canonical form, else a name
 * in lower case without its trailing dot. Returns 6, 4 or 1 (a name), or 0
 * with *why set when host is none of them.
 */
static int normalise_host(const char *host, size_t len, char out[HOST_BUF], const char **why)
{
	char tmp[HOST_BUF];
	unsigned char bin[16];
	*why = "not a DNS name or IP address";
	if (len == 0 || len >= sizeof tmp)
		return (*why = len ? "a name longer than 253 bytes" : "an empty host"), 0;
	memcpy(tmp, host, len);
	tmp[len] = '\0';
	if (memchr(tmp, ':', len)) {
		if (inet_pton(AF_INET6, tmp, bin) != 1)
			return (*why = "not a valid IPv6 address"), 0;
		return inet_ntop(AF_INET6, bin, out, HOST_BUF) ? 6 : 0;
	}
	if (tmp[len - 1] == '.')
		tmp[--len] = '\0';
	if (len && all_digits_and_dots(tmp, len)) {
		if (inet_pton(AF_INET, tmp, bin) != 1)
			return (*why = "not a valid IPv4 address"), 0;
		return inet_ntop(AF_INET, bin, out, HOST_BUF) ? 4 : 0;
	}
	if ((*why = name_problem(tmp, len)))
		return 0;
	for (size_t i = 0; i <= len; i++)
		out[i] = (char)(tmp[i] >= 'A' && tmp[i] <= 'Z' ? tmp[i] - 'A' + 'a' : tmp[i]);
	return 1;
}

int allowlist_parse_port(const char *s, size_t len)
{
	long v = 0;
	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

/* Split "host[:port]" / "[v6][:port]": the host span and the port (0: none). */
static const char *split_host_port(const char *s, const char **host, size_t *hlen, int *port)
{
	const char *colon;
	*port = 0;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return "an unclosed '['";
		*host = s + 1;
		*hlen = (size_t)(close - s - 1);
		if (*hlen == 0 || !memchr(*host, ':', *hlen))
			return "brackets around something that is not an IPv6 address";
		if (close[1] == '\0')
			return NULL;
		if (close[1] != ':')
			return "text after ']' that is not :PORT";
		colon = close + 1;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			return "an IPv6 address must be in brackets: [ADDRESS]:PORT";
		*host = s;
		*hlen = colon ? (size_t)(colon - s) : strlen(s);
		if (!colon)
			return NULL;
	}
	if ((*port = allowlist_parse_port(colon + 1, strlen(colon + 1))) < 0)
		return "a port that is not a number from 1 to 65535";
	return NULL;
}

/* Parse one entry into e (host allocated); NULL or what is wrong. */
static const char *parse_entry(const char *entry, struct allow_entry *e)
{
	const char *host, *why;
	size_t hlen;
	char norm[HOST_BUF];
	if (!*entry)
		return "an empty entry";
	if ((why = split_host_port(entry, &host, &hlen, &e->port)))
		return why;
	e->wildcard = hlen >= 2 && host[0] == '*' && host[1] == '.';
	if (e->wildcard) {
		host += 2;
		hlen -= 2;
	}
	int kind = normalise_host(host, hlen, norm, &why);
	if (!kind)
		return why;
	if (entry[0] == '[' && kind != 6)
		return "brackets around something that is not an IPv6 address";
	if (entry[0] != '[' && kind == 6)
		return "an IPv6 address must be in brackets: [ADDRESS]:PORT";
	if (e->wildcard && kind != 1)
		return "a wildcard over an IP address";
	e->host = e->wildcard ? xasprintf(".%s", norm) : xstrdup(norm);
	return NULL;
}

int allowlist_add(struct allowlist *al, const char *entry, struct error *err)
{
	struct allow_entry e = { NULL, 0, 0 };
	const char *why = parse_entry(entry, &e);
	if (why)
		return error_set(err, PARA_EXIT_USAGE, "allowlist entry '%s': %s", entry, why);
	ALLOC_GROW(al->v, al->nr + 1, al->alloc);
	al->v[al->nr++] = e;
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int allowlist_add_list(struct allowlist *al, const char *list, struct error *err)
{
	size_t before = al->nr;
	const char *p = list;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && is_blank(*p))
			p++, len--;
		while (len && is_blank(p[len - 1]))
			len--;
		char *one = xstrndup(p, len);
		int rc = len ? allowlist_add(al, one, err)
			     : error_set(err, PARA_EXIT_USAGE, "allowlist '%s': an empty entry", list);
		free(one);
		if (rc < 0) {
			while (al->nr > before)
				free(al->v[--al->nr].host);
			return -1;
		}
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int entry_matches(const struct allow_entry *e, const char *host, size_t hlen, int port)
{
	if (e->port ? e->port != port : (port != 443 && port != 80))
		return 0;
	if (!e->wildcard)
		return strcmp(e->host, host) == 0;
	size_t slen = strlen(e->host);
	return hlen > slen && strcmp(host + hlen - slen, e->host) == 0;
}

int allowlist_match(const struct allowlist *al, const char *host, int port)
{
	char norm[HOST_BUF];
	const char *why;
	size_t len = strlen(host);
	if (port < 1 || port > 65535)
		return 0;
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
		if (!memchr(host, ':', len))
			return 0;
	}
	if (!normalise_host(host, len, norm, &why))
		return 0;
	size_t nlen = strlen(norm);
	for (size_t i = 0; i < al->nr; i++)
		if (entry_matches(&al->v[i], norm, nlen, port))
			return 1;
	return 0;
}

char *allowlist_entry_text(const struct allow_entry *e)
{
	int v6 = strchr(e->host, ':') != NULL;
	char port[8] = "";
	if (e->port)
		snprintf(port, sizeof port, ":%d", e->port);
	return xasprintf("%s%s%s%s%s", e->wildcard ? "*" : "", v6 ? "[" : "", e->host, v6 ? "]" : "", port);
}

void allowlist_clear(struct allowlist *al)
{
	for (size_t i = 0; i < al->nr; i++)
		free(al->v[i].host);
	free(al->v);
	al->v = NULL;
	al->nr = al->alloc = 0;
}
