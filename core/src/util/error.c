/* error.c - the thread-local last error message and the error code names. */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Large enough for a validation report; longer messages are cut. */
#define FCAT_ERROR_CAP 16384

static _Thread_local char last_error[FCAT_ERROR_CAP];

const char *fcat_error_last(void)
{
	return last_error;
}

void fcat__error_clear(void)
{
	last_error[0] = '\0';
}

int fcat__error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
	return code;
}

int fcat__error_set(int code, const char *msg)
{
	snprintf(last_error, sizeof last_error, "%s", msg);
	return code;
}

int fcat__error_wrap(int code, const char *fmt, ...)
{
	char prefix[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	size_t plen = strlen(prefix), mlen = strlen(last_error);
	if (plen + 2 + mlen + 1 > sizeof last_error)
		mlen = sizeof last_error - plen - 3;
	memmove(last_error + plen + 2, last_error, mlen);
	memcpy(last_error, prefix, plen);
	memcpy(last_error + plen, ": ", 2);
	last_error[plen + 2 + mlen] = '\0';
	return code;
}

int fcat__error_oom(void)
{
	return fcat__error_set(FCAT_ENOMEM, "out of memory");
}

const char *fcat_strerror(int code)
{
	switch (code) {
	case FCAT_OK: return "success";
	case FCAT_ERROR: return "error";
	case FCAT_ENOTFOUND: return "not found";
	case FCAT_EEXISTS: return "already exists";
	case FCAT_EINVALID: return "invalid input";
	case FCAT_EVERSION: return "incompatible version";
	case FCAT_ETIMEOUT: return "time budget exceeded";
	case FCAT_ENOMEM: return "out of memory";
	case FCAT_EIO: return "input/output error";
	case FCAT_EDENIED: return "permission denied";
	case FCAT_EUSAGE: return "invalid usage";
	default: return "unknown error";
	}
}

void fcat_free(void *ptr)
{
	free(ptr);
}

const char *fcat_version(void)
{
	return FCAT_VERSION_STRING;
}
