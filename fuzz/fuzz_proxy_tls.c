/*
 * libFuzzer target for para-proxy's ClientHello reader. Besides the
 * sanitizers it checks that an SNI is a non-empty string of DNS name bytes,
 * and that a verdict on a prefix other than "need more" stays the verdict
 * when more bytes follow.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char sni[TLS_SNI_MAX + 1], sni2[TLS_SNI_MAX + 1];
	int rc = tls_client_hello_sni(data, size, sni);
	if (rc == TLS_SNI) {
		size_t n = strlen(sni);
		if (n == 0 || n > TLS_SNI_MAX || strspn(sni, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != n)
			abort();
	}
	for (size_t cut = size / 2; cut < size; cut += (size - cut + 1) / 2) {
		int early = tls_client_hello_sni(data, cut, sni2);
		if (early != TLS_NEED_MORE && (early != rc || (rc == TLS_SNI && strcmp(sni, sni2))))
			abort();
	}
	return 0;
}
