/* principal.c - who a request acts as. There is no token authentication
 * yet: every request acts as the principal the server was started as (fcat
 * --as NAME or $FCAT_PRINCIPAL), else anonymous. A verified bearer token's
 * principal plugs in here, and nowhere else. */
#include "server_int.h"

#include <stdio.h>

int srv_principal_of(char *buf, size_t size, srv_reply *reject, const server *s,
                     struct MHD_Connection *connection)
{
	(void)reject;
	(void)connection;
	snprintf(buf, size, "%s", s->config.principal ? s->config.principal : "");
	return 0;
}
