/* reply.c - error replies: every error is JSON, {"error":"...",
 * "status_code":N} as Feast's Go server writes it, and the HTTP status of
 * each fcat error code. */
#include "server_int.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char oom_body[] = "{\"error\":\"out of memory\",\"status_code\":500}";

/* The message as a JSON string; bytes that are not valid UTF-8 (a message
 * may quote a cut name) become '?'. */
static json_t *message_json(char *msg)
{
	json_t *j = json_string(msg);
	if (j)
		return j;
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	return json_string(msg);
}

static void reply_text(srv_reply *out, unsigned status, char *msg)
{
	*out = (srv_reply){.status = status};
	json_t *root = json_object();
	json_t *m = message_json(msg);
	if (root && m && json_object_set_new(root, "error", m) == 0) {
		m = NULL;
		if (json_object_set_new(root, "status_code", json_integer(status)) == 0)
			out->body = json_dumps(root, JSON_COMPACT);
	}
	json_decref(m);
	json_decref(root);
	if (out->body) {
		out->len = strlen(out->body);
		out->free_body = free;
	} else {
		out->status = 500;
		out->body = (char *)oom_body;
		out->len = sizeof oom_body - 1;
	}
}

void srv_reply_error(srv_reply *out, unsigned status, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	reply_text(out, status, msg);
}

unsigned srv_status_of(int rc)
{
	switch (rc) {
	case FCAT_ENOTFOUND: return 404;
	case FCAT_EINVALID:
	case FCAT_EUSAGE: return 400;
	case FCAT_EDENIED: return 403;
	default: return 500;
	}
}

void srv_reply_fcat_error(srv_reply *out, int rc, unsigned status)
{
	char *msg = strdup(fcat_error_last());
	if (!msg) {
		reply_text(out, 500, (char[]){"out of memory"});
		return;
	}
	reply_text(out, status ? status : srv_status_of(rc), msg);
	free(msg);
}
