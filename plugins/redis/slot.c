/* slot.c - the Redis Cluster key slot of a key: CRC16 (XMODEM) of its hash
 * tag, the text between the first '{' and the next '}' when that is not
 * empty, else of the whole key; modulo 16384 (the cluster spec). */
#include "redis_store.h"

#include <string.h>

static unsigned crc16(const char *p, size_t len)
{
	unsigned crc = 0;
	for (size_t i = 0; i < len; i++) {
		crc ^= (unsigned)(unsigned char)p[i] << 8;
		for (int b = 0; b < 8; b++)
			crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
	}
	return crc;
}

unsigned rs_key_slot(const char *key, size_t len)
{
	const char *open = memchr(key, '{', len);
	if (open) {
		size_t rest = len - (size_t)(open + 1 - key);
		const char *close = memchr(open + 1, '}', rest);
		if (close && close > open + 1)
			return crc16(open + 1, (size_t)(close - open - 1)) & (RS_NSLOTS - 1);
	}
	return crc16(key, len) & (RS_NSLOTS - 1);
}
