/* keys.c - key names: "<prefix>:{<hex of the entity key>}:<view>". The part in
 * braces is a Redis Cluster hash tag, so every view's row of one entity lands
 * on one slot; hex keeps the tag free of braces whatever the key's bytes. */
#include "redis_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char hex[] = "0123456789abcdef";

size_t rs_key_size(const rs_store *s, size_t key_len, size_t view_len)
{
	return s->prefix_len + 4 + (key_len ? 2 * key_len : 1) + view_len;
}

size_t rs_key(char *buf, const rs_store *s, fcat_bytes key, const char *view, size_t view_len)
{
	char *p = buf;
	const unsigned char *k = (const unsigned char *)key.ptr;
	memcpy(p, s->prefix, s->prefix_len);
	p += s->prefix_len;
	*p++ = ':';
	*p++ = '{';
	if (!key.len)
		*p++ = '-'; /* "{}" would not be a hash tag */
	for (size_t i = 0; i < key.len; i++) {
		*p++ = hex[k[i] >> 4];
		*p++ = hex[k[i] & 15];
	}
	*p++ = '}';
	*p++ = ':';
	memcpy(p, view, view_len);
	return (size_t)(p - buf) + view_len;
}

bool rs_key_is_view(const rs_store *s, const char *key, size_t len, const char *view)
{
	size_t vlen = strlen(view), i = s->prefix_len + 2;
	if (len < i + 3 + vlen || memcmp(key, s->prefix, s->prefix_len) ||
	    memcmp(key + s->prefix_len, ":{", 2))
		return false;
	if (key[i] == '-') {
		i++;
	} else {
		size_t start = i;
		while (i < len &&
		       ((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'f')))
			i++;
		if (i == start || (i - start) % 2)
			return false;
	}
	return len - i == vlen + 2 && key[i] == '}' && key[i + 1] == ':' &&
	       memcmp(key + i + 2, view, vlen) == 0;
}

/* Copies text with Redis glob characters escaped; returns the end. */
static char *glob_escape(char *p, const char *text)
{
	for (; *text; text++) {
		if (strchr("*?[]\\", *text))
			*p++ = '\\';
		*p++ = *text;
	}
	return p;
}

char *rs_view_pattern(const rs_store *s, const char *view)
{
	char *buf = malloc(2 * (s->prefix_len + strlen(view)) + 8);
	if (!buf)
		return NULL;
	char *p = glob_escape(buf, s->prefix);
	memcpy(p, ":{*}:", 5);
	p = glob_escape(p + 5, view);
	*p = '\0';
	return buf;
}

char *rs_meta_key(const rs_store *s)
{
	char *key;
	return asprintf(&key, "%s:__meta", s->prefix) < 0 ? NULL : key;
}
