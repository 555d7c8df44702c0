/* principal.c - who a request acts as. With token keys configured, the
 * `sub` of the request's verified bearer token (Authorization: Bearer JWT)
 * with the groups its `groups` claim vouches for, and a request without a
 * valid one is refused with 401; without keys,
 * the principal the server was started as (fcat --as NAME or
 * $FCAT_PRINCIPAL), else anonymous. */
#include "server_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int srv_principal_of(char *buf, size_t size, fsrv_jwt_claims *groups, srv_reply *reject,
                     const server *s, struct MHD_Connection *connection)
{
	memset(groups, 0, sizeof *groups);
	if (!s->config.keys) {
		snprintf(buf, size, "%s", s->config.principal ? s->config.principal : "");
		return 0;
	}
	const char *auth =
	    MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) {
		srv_reply_error(reject, 401,
		                "missing bearer token: send Authorization: Bearer JWT");
		return -1;
	}
	const char *token = auth + 7;
	while (*token == ' ')
		token++;
	fsrv_jwt_claims claims;
	if (fsrv_jwt_verify(&claims, s->config.keys, token, strlen(token), (int64_t)time(NULL)) !=
	    0) {
		srv_reply_error(reject, 401, "bad bearer token: %s", fsrv_jwt_error_last());
		return -1;
	}
	int rc = 0;
	if (strlen(claims.sub) >= size) {
		srv_reply_error(reject, 401, "bad bearer token: sub is too long");
		rc = -1;
	} else {
		snprintf(buf, size, "%s", claims.sub);
		groups->groups = claims.groups; /* handed over */
		groups->ngroups = claims.ngroups;
		claims.groups = NULL;
		claims.ngroups = 0;
	}
	fsrv_jwt_claims_free(&claims);
	return rc;
}
