#include "hash.h"

#include <stdio.h>
#include <xxhash.h>

#include "banned.h"

void hash_hex(const void *data, size_t len, char out[HASH_HEX_LEN + 1])
{
	XXH128_hash_t h = XXH3_128bits(data, len);
	snprintf(out, HASH_HEX_LEN + 1, "%016llx%016llx", (unsigned long long)h.high64,
		 (unsigned long long)h.low64);
}
