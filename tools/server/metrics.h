/* metrics.h - the server's Prometheus metrics: requests by endpoint and
 * status, and a latency histogram per endpoint, in atomic counters (no lock
 * on the request path). */
#ifndef FCAT_SERVER_METRICS_H
#define FCAT_SERVER_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef enum srv_endpoint {
	SRV_EP_ONLINE,  /* POST /get-online-features */
	SRV_EP_PUSH,    /* POST /push */
	SRV_EP_HEALTH,  /* GET /health */
	SRV_EP_METRICS, /* GET /metrics */
	SRV_EP_OTHER,   /* any other path */
	SRV_EP_COUNT,
} srv_endpoint;

#define SRV_STATUS_SLOTS 11 /* the statuses the server gives, and "other" */
#define SRV_BUCKETS      14 /* latency bounds; one more slot for +Inf */

typedef struct srv_metrics {
	atomic_uint_fast64_t requests[SRV_EP_COUNT][SRV_STATUS_SLOTS];
	atomic_uint_fast64_t latency[SRV_EP_COUNT][SRV_BUCKETS + 1]; /* not cumulative */
	atomic_uint_fast64_t latency_sum_us[SRV_EP_COUNT];
} srv_metrics;

/* Counts one answered request: its status and how long it took. */
void srv_metrics_record(srv_metrics *m, srv_endpoint ep, unsigned status, uint64_t micros);

/* The metrics in Prometheus' text format (version 0.0.4): *out is
 * malloc'd, NUL-terminated text of *len bytes. Returns 0 or -1 (no memory). */
int srv_metrics_render(char **out, size_t *len, srv_metrics *m);

#endif
