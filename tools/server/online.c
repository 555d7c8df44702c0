/* online.c - POST /get-online-features: Feast's request parsed, bound and
 * read, and the response encoded, all by the library (the read path of
 * `fcat get-online --json`); the set is cached in the request's generation,
 * the result is the thread's (a result is not tied to a store). */
#include "server_int.h"

#include <stdlib.h>
#include <string.h>

/* The calling thread's result, made on its first request and freed when
 * the thread ends (the key's destructor). */
static fcat_online_result *thread_result(server *s)
{
	fcat_online_result *res = pthread_getspecific(s->result_key);
	if (res)
		return res;
	if (fcat_online_result_new(&res) != 0)
		return NULL;
	if (pthread_setspecific(s->result_key, res) != 0) {
		fcat_online_result_free(res);
		return NULL;
	}
	return res;
}

void srv_handle_online(srv_reply *out, server *s, const srv_request *req)
{
	fcat_json_online_request *jr = NULL;
	fcat_feature_set *owned = NULL;
	const fcat_feature_set *set;
	const fcat_value *keys, *request_data;
	int rc = fcat_json_online_request_parse(&jr, req->body, req->len);
	if (!rc)
		rc = srv_sets_get(&set, &owned, req->gen->sets, req->gen->store, jr);
	if (!rc)
		rc = fcat_json_online_request_bind(&keys, &request_data, jr, set);
	if (rc) {
		srv_reply_fcat_error(out, rc, 0);
		goto done;
	}
	fcat_online_result *res = thread_result(s);
	if (!res) {
		srv_reply_error(out, 500, "/get-online-features: out of memory for a result");
		goto done;
	}
	fcat_read_options ro = FCAT_READ_OPTIONS_INIT;
	ro.principal = req->principal;
	ro.request = request_data;
	rc = fcat_online_read(res, req->gen->store, set, keys, fcat_json_online_request_rows(jr),
	                      &ro);
	if (rc) {
		srv_reply_fcat_error(out, rc, 0);
		goto done;
	}
	char *text;
	unsigned flags =
	    fcat_json_online_request_full_feature_names(jr) ? FCAT_JSON_FULL_FEATURE_NAMES : 0;
	rc = fcat_json_encode_online_response(&text, res, set, keys, flags);
	if (rc) {
		/* a value without a JSON form (NaN): the server's, not the caller's */
		srv_reply_fcat_error(out, rc, 500);
		goto done;
	}
	*out =
	    (srv_reply){.status = 200, .body = text, .len = strlen(text), .free_body = fcat_free};
done:
	fcat_feature_set_free(owned);
	fcat_json_online_request_free(jr);
}
