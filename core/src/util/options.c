/* options.c - taking a caller's options struct that opens with its own
 * size (see options.h). */
#include "util/options.h"

#include "util/error.h"

#include <string.h>

int fcat__options_take(void *dst, size_t dst_size, const void *src, size_t min, const char *what)
{
	if (!src)
		return 0;
	size_t size;
	memcpy(&size, src, sizeof size);
	if (size < min || size > dst_size)
		return fcat__error(FCAT_EUSAGE,
		                   "%s: size %zu is not one this library knows (%zu to %zu); "
		                   "start from its _INIT macro",
		                   what, size, min, dst_size);
	memcpy(dst, src, size);
	return 0;
}
