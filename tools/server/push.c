/* push.c - POST /push: the body read against the served catalog
 * (push_body.c), then one fcat_push (which checks every row before writing
 * anything). */
#include "push_body.h"

void srv_handle_push(srv_reply *out, server *s, const srv_request *req)
{
	(void)s;
	srv_push_body b;
	if (srv_push_body_parse(&b, out, fcat_store_catalog(req->gen->store), req->body,
	                        req->len) == 0) {
		fcat_push_options o = FCAT_PUSH_OPTIONS_INIT;
		o.principal = req->principal;
		o.to = b.to;
		int rc = fcat_push(NULL, req->gen->store, b.source, b.cols, b.ncols, b.nrows, &o);
		if (rc)
			srv_reply_fcat_error(out, rc, 0);
		else
			*out = (srv_reply){.status = 200};
	}
	srv_push_body_free(&b);
}
