/* Content hashes for specs and caches: XXH3-128 as 32 lowercase hex digits. */
#ifndef PARA_HASH_H
#define PARA_HASH_H
#include <stddef.h>

#define HASH_HEX_LEN 32
void hash_hex(const void *data, size_t len, char out[HASH_HEX_LEN + 1]);

#endif
