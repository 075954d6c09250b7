/*
 * The server name (SNI) of a TLS ClientHello: the first bytes a client
 * sends. The hello may span several handshake records; anything else
 * (another record type first, SSLv2, a second server_name extension, a
 * name that is not a DNS name) is refused. Pure.
 */
#ifndef PARA_PROXY_TLS_H
#define PARA_PROXY_TLS_H
#include <stddef.h>

#define TLS_SNI_MAX 255
/* The largest ClientHello (handshake message, header included) accepted. */
#define TLS_HELLO_MAX 16384

enum {
	TLS_NEED_MORE = 0, /* a prefix of a plausible ClientHello */
	TLS_SNI = 1,       /* sni holds the host_name */
	TLS_NO_SNI = 2,    /* a ClientHello without server_name */
	TLS_BAD = -1,      /* not a ClientHello we accept */
};

/* Look at the len bytes a client sent first. */
int tls_client_hello_sni(const unsigned char *buf, size_t len, char sni[TLS_SNI_MAX + 1]);

#endif
