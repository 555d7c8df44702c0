/* latest_hash.c - the hashes of encoded entity keys the latest-row engine
 * uses: 64 bits for its per-key table, 128 for its sort-merge. */
#include "latest/latest.h"

#include "util/strmap.h"

uint64_t fcat__latest_hash(const void *key, size_t len)
{
	return fcat__hash_bytes(key, len);
}

void fcat__latest_hash_wide(const void *key, size_t len, uint64_t *h1, uint64_t *h2)
{
	/* two independent 64-bit hashes: a collision of both among even 10^9
	 * keys has a probability below 10^-20 */
	*h1 = fcat__latest_hash(key, len);
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	*h2 = h;
}
