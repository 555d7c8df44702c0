/* push.c - POST /push: the body read against the served catalog
 * (push_body.c), then one fcat_push (which checks every row before writing
 * anything) as the request's principal and groups; the access log gets the
 * source, where the rows went and how many. */
#include "push_body.h"

static void note_push(srv_line *l, const srv_push_body *b, bool parsed)
{
	if (!l || !b->source)
		return;
	srv_line_lit(l, ",\"push_source\":");
	srv_line_str(l, b->source, 512);
	srv_line_lit(l, ",\"to\":");
	srv_line_str(l,
	             b->to == FCAT_PUSH_ONLINE    ? "online"
	             : b->to == FCAT_PUSH_OFFLINE ? "offline"
	                                          : "online_and_offline",
	             32);
	if (parsed) {
		srv_line_lit(l, ",\"rows\":");
		srv_line_u64(l, b->nrows);
	}
}

void srv_handle_push(srv_reply *out, server *s, const srv_request *req)
{
	(void)s;
	srv_push_body b;
	int parsed = srv_push_body_parse(&b, out, fcat_store_catalog(req->gen->store), req->body,
	                                 req->len) == 0;
	note_push(req->detail, &b, parsed);
	if (parsed) {
		fcat_push_options o = FCAT_PUSH_OPTIONS_INIT;
		o.principal = req->principal;
		o.groups = req->groups;
		o.ngroups = req->ngroups;
		o.to = b.to;
		int rc = fcat_push(NULL, req->gen->store, b.source, b.cols, b.ncols, b.nrows, &o);
		if (rc)
			srv_reply_fcat_error(out, rc, 0);
		else
			*out = (srv_reply){.status = 200};
	}
	srv_push_body_free(&b);
}
