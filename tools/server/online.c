/* online.c - POST /get-online-features: Feast's request parsed, bound and
 * read, and the response encoded, all by the library (the read path of
 * `fcat get-online --json`); the set is cached in the request's generation,
 * the result is the thread's (a result is not tied to a store). What was
 * asked for goes to the access log. */
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

/* The access log's members of a read: the feature references (or the
 * service) and the entity rows. References that do not fit are counted in
 * "features_left_out"; the line stays whole. */
static void note_request(srv_line *l, const fcat_json_online_request *jr)
{
	const char *service = fcat_json_online_request_service(jr);
	if (service) {
		srv_line_lit(l, ",\"feature_service\":");
		srv_line_str(l, service, 512);
	} else {
		size_t n = fcat_json_online_request_feature_count(jr), i = 0;
		const char *const *refs = fcat_json_online_request_features(jr);
		srv_line_lit(l, ",\"features\":[");
		for (; i < n; i++) {
			size_t before = l->len, cap = l->cap;
			l->cap = cap - 96; /* keep room for the tail */
			if (i)
				srv_line_lit(l, ",");
			srv_line_str(l, refs[i], 512);
			l->cap = cap;
			if (l->full) {
				l->len = before;
				l->full = false;
				break;
			}
		}
		srv_line_lit(l, "]");
		if (i < n) {
			srv_line_lit(l, ",\"features_left_out\":");
			srv_line_u64(l, n - i);
		}
	}
	srv_line_lit(l, ",\"rows\":");
	srv_line_u64(l, fcat_json_online_request_rows(jr));
}

void srv_handle_online(srv_reply *out, server *s, const srv_request *req)
{
	fcat_json_online_request *jr = NULL;
	fcat_feature_set *owned = NULL;
	const fcat_feature_set *set;
	const fcat_value *keys, *request_data;
	int rc = fcat_json_online_request_parse(&jr, req->body, req->len);
	if (!rc && req->detail)
		note_request(req->detail, jr);
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
	ro.groups = req->groups;
	ro.ngroups = req->ngroups;
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
